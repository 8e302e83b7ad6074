/**
 * Answers start one per event-loop iteration, so acks of questions that arrive in a burst are sent
 * between answers instead of queueing behind all of them (Slack gives an ack 3 s; answers have 30
 * minutes). One per bot, not per module: two bots in one process do not wait for each other.
 */
export class AnswerTurns {
  private last: Promise<void> = Promise.resolve();

  /** Resolves when it is this answer's turn. */
  take(): Promise<void> {
    const turn = this.last.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    this.last = turn;
    return turn;
  }
}
