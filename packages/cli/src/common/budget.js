/**
 * `--max-minutes`: one deadline for the whole command. Trainings check it after every batch
 * (fit's onBatchEnd returning false stops after that step, and restoreBestWeights then puts
 * back the best epoch's weights); a training may claim only a share of what is left, so the
 * models trained after it still get their turn.
 */
export class Budget {
  constructor(maxMinutes) {
    this.deadline = maxMinutes === undefined ? Infinity : performance.now() + maxMinutes * 60_000;
  }
  /** Milliseconds left (Infinity without a budget). */
  remaining() {
    return Math.max(0, this.deadline - performance.now());
  }
  /** The time (performance.now()) at which a training that takes `share` of what is left must stop. */
  deadlineFor(share = 1) {
    const left = this.remaining();
    return left === Infinity ? Infinity : performance.now() + left * share;
  }
}
