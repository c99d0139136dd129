/**
 * The timer that wakes the loop for the ledger's next boundary or close. Re-armed only when that
 * instant changes, so an idle account holds one timer, not one per loop turn.
 */
import { sleep } from '@temporalio/workflow';

export class WakeUp {
  private at: number | null = null;
  private fired = false;

  arm(at: number): void {
    if (this.at === at) return;
    this.at = at;
    this.fired = false;
    void sleep(Math.max(1, at - Date.now())).then(() => {
      if (this.at === at) this.fired = true;
    });
  }

  /** True when the armed instant has come. */
  due(): boolean {
    return this.fired;
  }

  /** Takes the wake-up: the next `arm` starts a new timer. */
  take(): void {
    this.fired = false;
    this.at = null;
  }
}
