/**
 * Progress of a training: a cli-progress bar (epoch, batch, loss, validation loss, ETA) when the
 * log stream is a terminal, otherwise plain lines (logs, CI, pipes): one per epoch, at most
 * every 2 s, and every 10 s within long epochs. With --json stdout carries only the summary, so
 * all of this goes to stderr.
 */
import cliProgress from 'cli-progress';

const fmt = (v) => (v === undefined || !Number.isFinite(v) ? '–' : v < 0.01 ? v.toExponential(2) : v.toFixed(4));
const fmtSeconds = (s) => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`);

export class Progress {
  /** `stream`: where human output goes; `quiet`: nothing at all (tests). */
  constructor({ stream, quiet = false }) {
    this.stream = stream;
    this.quiet = quiet;
    this.tty = Boolean(stream.isTTY) && !quiet;
    this.barActive = false;
  }

  /** A line of human output (never on stdout under --json). */
  log(line) {
    if (this.quiet) return;
    // Over a live bar: clear its line first; the bar redraws itself on its next update.
    this.stream.write(this.barActive ? `\r\x1b[K${line}\n` : `${line}\n`);
  }

  /**
   * Tracks one training of `epochs` × `batches` steps; returns the callbacks to hand to fit
   * ({ onBatchEnd, onEpochEnd }) and `done()`. `shouldStop()` is asked after every batch; the
   * ETA is the steps' or the `deadline`'s (performance.now() time), whichever comes first.
   */
  training(label, { epochs, batches, maxSteps = Infinity, shouldStop = () => false, deadline = Infinity }) {
    const total = Math.min(epochs * batches, maxSteps);
    let bar;
    let val;
    let step = 0;
    let lastLine = 0;
    const started = performance.now();
    if (this.tty) {
      bar = new cliProgress.SingleBar(
        {
          stream: this.stream,
          format: `${label.padEnd(14)} {bar} epoch {epoch}/{epochs} batch {batch}/{batches} loss {loss} val {val} ETA {eta}`,
          barsize: 20,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { epoch: 1, epochs, batch: 0, batches, loss: '–', val: '–', eta: '–' });
      this.barActive = true;
    }
    const eta = (now) => Math.max(0, Math.min((((now - started) / 1000) * (total - step)) / step, (deadline - now) / 1000));
    const line = (epoch, loss) => {
      const now = performance.now();
      lastLine = now;
      this.log(`${label}: epoch ${epoch + 1}/${epochs} step ${step}/${total} loss ${fmt(loss)} val ${fmt(val)} ${((now - started) / 1000).toFixed(1)}s ETA ${fmtSeconds(eta(now))}`);
    };
    return {
      onBatchEnd: (_step, logs) => {
        step++;
        if (bar && (step % 5 === 0 || step === total)) {
          bar.update(step, { epoch: Math.floor((step - 1) / batches) + 1, batch: ((step - 1) % batches) + 1, loss: fmt(logs.loss), val: fmt(val), eta: fmtSeconds(eta(performance.now())) });
        } else if (!bar && !this.quiet && performance.now() - lastLine > 10_000) {
          // Long epochs: a plain line every 10 s within the epoch too.
          line(Math.floor((step - 1) / batches), logs.loss);
        }
        return !shouldStop();
      },
      onEpochEnd: (epoch, logs) => {
        val = logs.valLoss;
        if (bar) {
          bar.update(step, { epoch: epoch + 1, loss: fmt(logs.loss), val: fmt(val) });
        } else if (!this.quiet) {
          // Plain lines, at most one every 2 s (and always the last epoch).
          if (performance.now() - lastLine > 2000 || epoch + 1 === epochs) line(epoch, logs.loss);
        }
      },
      steps: () => step,
      done: (note = '') => {
        if (bar) {
          bar.stop();
          this.barActive = false;
        }
        if (note) this.log(`${label}: ${note}`);
      },
    };
  }
}
