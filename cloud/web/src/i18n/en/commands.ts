/** English messages of the commands pages. */
export const commands = {
  title: 'commands',
};
