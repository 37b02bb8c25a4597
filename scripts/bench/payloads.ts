/**
 * The recorded payloads of each codec, for the benchmark: fixtures/xspice (real Xspice sessions)
 * and, for JPEG, fixtures/test-server/jpeg.bin (spice-server itself through the harness test
 * server: Xspice never sends JPEG).
 */
import { readFileSync } from 'node:fs';
import { imagesInStream, loadStream } from '../lib/fixture-images';
import { ImageType } from '../../src/protocol/enums';
import type { Payload, PayloadSet } from './core';

export function collectPayloads(): PayloadSet[] {
  const pick = (mode: string, type: number, stream = loadStream(mode)): Payload[] =>
    imagesInStream(stream)
      .filter((i) => i.image.type === type)
      .map((i) => {
        const img = i.image as unknown as { kind: string; width: number; height: number; data?: Uint8Array; bitmap?: { format: number; flags: number; stride: number; data: Uint8Array; width: number; height: number } };
        if (img.kind === 'bitmap') {
          const b = img.bitmap!;
          return { width: b.width, height: b.height, data: b.data, bitmap: { format: b.format, flags: b.flags, stride: b.stride } };
        }
        return { width: img.width, height: img.height, data: img.data! };
      });
  return [
    { codec: 'QUIC', source: 'quic.bin', items: pick('quic', ImageType.QUIC) },
    { codec: 'LZ_RGB', source: 'lz.bin', items: pick('lz', ImageType.LZ_RGB) },
    { codec: 'GLZ_RGB', source: 'glz.bin', items: pick('glz', ImageType.GLZ_RGB) },
    { codec: 'LZ4', source: 'lz4.bin', items: pick('lz4', ImageType.LZ4) },
    { codec: 'BITMAP', source: 'off.bin', items: pick('off', ImageType.BITMAP) },
    { codec: 'JPEG', source: 'jpeg.bin', items: pick('jpeg', ImageType.JPEG, new Uint8Array(readFileSync(new URL('../../fixtures/test-server/jpeg.bin', import.meta.url)))) },
  ];
}
