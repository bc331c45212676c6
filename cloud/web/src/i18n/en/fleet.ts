/** English messages of the fleet pages. */
export const fleet = {
  title: 'fleet',
};
