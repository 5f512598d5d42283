// A VirtualTimeScheduler whose clock starts at a recording's first exchange time, so that
// scheduler.now() during a replay is the exchange clock of the data being replayed.
import { VirtualTimeScheduler } from "rxjs";

export function simReplayScheduler(startTime: number): VirtualTimeScheduler {
  const scheduler = new VirtualTimeScheduler();
  scheduler.frame = startTime;
  return scheduler;
}
