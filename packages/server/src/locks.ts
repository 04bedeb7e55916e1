/**
 * RFC 7047 locks (§4.1.8-10): per lock name, a queue of waiting sessions whose head owns the lock.
 * `lock` joins the back of the queue, `steal` jumps to the front (the previous owner is told `stolen` and
 * stays queued behind), `unlock` leaves the queue (the next in line is told `locked`).
 */

export interface LockHolder {
  /** Tell the session it now owns `name` (`locked`) or lost it to a steal (`stolen`). */
  notifyLock(method: 'locked' | 'stolen', name: string): void;
}

export class LockManager {
  private readonly queues = new Map<string, LockHolder[]>();

  owner(name: string): LockHolder | undefined {
    return this.queues.get(name)?.[0];
  }

  owns(holder: LockHolder, name: string): boolean {
    return this.owner(name) === holder;
  }

  isWaiting(holder: LockHolder, name: string): boolean {
    return this.queues.get(name)?.includes(holder) === true;
  }

  /** Returns whether `holder` owns the lock now. */
  lock(holder: LockHolder, name: string): boolean {
    let q = this.queues.get(name);
    if (q === undefined) this.queues.set(name, (q = []));
    q.push(holder);
    return q[0] === holder;
  }

  steal(holder: LockHolder, name: string): void {
    let q = this.queues.get(name);
    if (q === undefined) this.queues.set(name, (q = []));
    const victim = q[0];
    q.unshift(holder);
    if (victim !== undefined && victim !== holder) victim.notifyLock('stolen', name);
  }

  unlock(holder: LockHolder, name: string): void {
    const q = this.queues.get(name);
    if (q === undefined) return;
    const wasOwner = q[0] === holder;
    const i = q.indexOf(holder);
    if (i >= 0) q.splice(i, 1);
    if (q.length === 0) this.queues.delete(name);
    else if (wasOwner) (q[0] as LockHolder).notifyLock('locked', name);
  }

  /** Drop every lock and place in line of a session that went away. */
  release(holder: LockHolder): void {
    for (const name of [...this.queues.keys()]) while (this.isWaiting(holder, name)) this.unlock(holder, name);
  }
}
