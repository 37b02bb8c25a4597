/** Seeded mutations of recorded payloads for the codec fuzz tests. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mutation: bit flips, random bytes, 0xff runs, truncation, insertion or deletion. */
export function mutate(src: Uint8Array, rand: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  let d = src.slice();
  const kind = pick(6);
  const at = pick(Math.max(1, d.length));
  switch (kind) {
    case 0:
      for (let k = 1 + pick(4); k > 0; k--) d[pick(d.length)] ^= 1 << pick(8);
      break;
    case 1:
      for (let k = 1 + pick(4); k > 0; k--) d[pick(d.length)] = pick(256);
      break;
    case 2:
      d.fill(255, at, at + 1 + pick(16));
      break;
    case 3:
      d = d.slice(0, at);
      break;
    case 4: {
      const ins = Uint8Array.from({ length: 1 + pick(8) }, () => pick(256));
      const out = new Uint8Array(d.length + ins.length);
      out.set(d.subarray(0, at));
      out.set(ins, at);
      out.set(d.subarray(at), at + ins.length);
      d = out;
      break;
    }
    default: {
      const n = 1 + pick(8);
      const head = d.subarray(0, at);
      const tail = d.subarray(Math.min(d.length, at + n));
      const out = new Uint8Array(head.length + tail.length);
      out.set(head);
      out.set(tail, head.length);
      d = out;
    }
  }
  return d;
}
