/** English messages of the profitability pages (calculator, heatmap, live site profitability). */
export const profit = {
  title: 'Profitability',
};
