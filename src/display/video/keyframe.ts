/**
 * Is this stream frame a key frame? SPICE's STREAM_DATA carries no frame type (spice-protocol.md
 * §5.8), and WebCodecs needs one per chunk, and after a decoder error we must wait for a key
 * frame. So read the first bits of the bitstream. Never reads past the input: short data is not
 * a key frame.
 *  - VP8 (RFC 6386 §9.1): frame tag bit 0 is frame_type, 0 = key frame.
 *  - VP9 (VP9 bitstream spec §6.2 uncompressed_header): frame_marker(2) = 2, profile_low_bit,
 *    profile_high_bit, [reserved_zero if profile 3], show_existing_frame, frame_type (0 = key).
 *  - H.264 (ITU-T H.264 Annex B, §7.4.1.2): byte-stream NAL units; an IDR slice (nal_unit_type 5)
 *    makes it a key frame (the server's x264/openh264 put SPS/PPS before each IDR).
 */
import { VideoCodecType } from '../../protocol/enums';

export function isKeyFrame(codec: number, d: Uint8Array): boolean {
  switch (codec) {
    case VideoCodecType.VP8:
      return d.length >= 3 && (d[0]! & 1) === 0;
    case VideoCodecType.VP9:
      return vp9Key(d);
    case VideoCodecType.H264:
      return h264Key(d);
    default:
      return true; // M-JPEG: every frame stands alone
  }
}

function vp9Key(d: Uint8Array): boolean {
  if (d.length < 1) return false;
  // bits MSB first
  const bit = (i: number): number => (d[i >> 3]! >> (7 - (i & 7))) & 1;
  if (bit(0) !== 1 || bit(1) !== 0) return false; // frame_marker
  const profile = bit(2) | (bit(3) << 1);
  let i = profile === 3 ? 5 : 4;
  if (d.length * 8 < i + 2) return false;
  if (bit(i++) === 1) return false; // show_existing_frame: repeats a decoded frame
  return bit(i) === 0;
}

function h264Key(d: Uint8Array): boolean {
  for (let i = 0; i + 3 < d.length; i++) {
    // start code 00 00 01 (a 4-byte 00 00 00 01 ends in it too)
    if (d[i] === 0 && d[i + 1] === 0 && d[i + 2] === 1) {
      const type = d[i + 3]! & 0x1f;
      if (type === 5) return true;
      if (type === 1) return false; // a non-IDR slice came first
      i += 2;
    }
  }
  return false;
}

/** the WebCodecs codec string we ask for each SPICE codec (what the server's encoders produce) */
export const WEBCODECS_CODEC: Readonly<Record<number, string>> = {
  [VideoCodecType.VP8]: 'vp8',
  [VideoCodecType.VP9]: 'vp09.00.10.08',
  // constrained baseline 3.1 covers what x264 and openh264 emit for desktop streams; the
  // decoder takes higher profiles in the same stream (WebCodecs checks the config, not each frame)
  [VideoCodecType.H264]: 'avc1.42E01F',
};
