/** English messages of the admin pages. */
export const admin = {
  title: 'admin',
};
