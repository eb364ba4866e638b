// The two uPlot charts: training and held-out loss per epoch (log scale), and the held-out
// months' measured CO₂ against the one-step-ahead predictions.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const WIDTH = 440;
const HEIGHT = 240;

export function lossChart(element) {
  const chart = new uPlot(
    {
      width: WIDTH,
      height: HEIGHT,
      legend: { live: false },
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: 'epoch' }, { label: 'MSE (scaled)' }],
      series: [{ label: 'epoch' }, { label: 'training', stroke: '#1f77b4', width: 2 }, { label: 'held out', stroke: '#ff7f0e', width: 2 }],
    },
    [[], [], []],
    element,
  );
  const data = [[], [], []];
  return {
    reset() {
      data.forEach((column) => (column.length = 0));
      chart.setData(data);
    },
    add(epoch, loss, valLoss) {
      data[0].push(epoch);
      data[1].push(loss);
      data[2].push(valLoss);
      chart.setData(data);
    },
  };
}

export function predictionChart(element) {
  const chart = new uPlot(
    {
      width: WIDTH,
      height: HEIGHT,
      legend: { live: false },
      axes: [{}, { label: 'CO₂ (ppm)' }],
      series: [{}, { label: 'measured', stroke: '#444', width: 1.5 }, { label: 'predicted', stroke: '#d62728', width: 2, dash: [6, 3] }],
    },
    [[], [], []],
    element,
  );
  let data = [[], [], []];
  return {
    /** months "YYYY-MM" (uPlot's time axis counts seconds), measured ppm. */
    reset(months, actual) {
      data = [months.map((m) => Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1) / 1000), actual, actual.map(() => null)];
      chart.setData(data);
    },
    show(predicted) {
      data[2] = predicted;
      chart.setData(data);
    },
  };
}
