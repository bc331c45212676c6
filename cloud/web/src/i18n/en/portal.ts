/** English messages of the portal pages. */
export const portal = {
  title: 'portal',
};
