/**
 * Hands out loopback IPs so that every simulated miner has its own address and test files running in parallel
 * do not collide: each process starts in its own randomly chosen 127.N.0.0/16 block (N in 16..250).
 */
export class LoopbackAllocator {
  private next = 1;
  constructor(private readonly secondOctet: number) {
    if (!Number.isInteger(secondOctet) || secondOctet < 1 || secondOctet > 254) {
      throw new RangeError(`loopback block 127.${secondOctet}.0.0/16 is not usable`);
    }
  }

  /** The next `count` unused addresses of this block, in order. */
  take(count: number): string[] {
    if (this.next + count > 65_534) throw new RangeError('loopback block exhausted');
    const ips: string[] = [];
    for (let i = 0; i < count; i++, this.next++) {
      ips.push(`127.${this.secondOctet}.${this.next >> 8}.${this.next & 255}`);
    }
    return ips;
  }
}

/** One allocator per test process. */
export const loopbackAllocator = new LoopbackAllocator(16 + Math.floor(Math.random() * 235));
