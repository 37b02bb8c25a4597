/**
 * Constant tables and the Golomb code "families" of QUIC (spice-protocol.md §6.1). Everything
 * here is built once at module load and never written afterwards, so decodeQuic stays stateless.
 */

/** Samples per wait-mask step before the mask widens (DEFwminext); widening stops at index 6. */
export const WM_NEXT = 2048;
export const WM_MAX_INDEX = 6;

/**
 * Model-halving thresholds by wait-mask index for model evolution 3 (the only one SPICE uses).
 * Indexes above 10 reuse the last entry; the decoder never goes past WM_MAX_INDEX anyway.
 */
export const WM_TRIGGER = new Uint16Array([110, 550, 900, 800, 550, 400, 350, 250, 140, 160, 140]);

/** MELCODE run-length states: the expected run at state s is 2^MELC_LEN[s]. */
export const MELC_LEN = new Uint8Array([
  0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15,
]);
export const MELC_STATES = 32;

/**
 * The pseudo-random sequence that decides which samples update the model. Encoder and decoder
 * must step it identically; only the low 6 bits are ever used (the widest wait mask is 63).
 * The values are the protocol's constant table (spice-common quic.c, tabrand_chaos).
 */
export const TABRAND = new Uint32Array([
  0x02c57542, 0x35427717, 0x2f5a2153, 0x9244f155, 0x7bd26d07, 0x354c6052, 0x57329b28, 0x2993868e, 
  0x6cd8808c, 0x147b46e0, 0x99db66af, 0xe32b4cac, 0x1b671264, 0x9d433486, 0x62a4c192, 0x06089a4b, 
  0x9e3dce44, 0xdaabee13, 0x222425ea, 0xa46f331d, 0xcd589250, 0x8bb81d7f, 0xc8b736b9, 0x35948d33, 
  0xd7ac7fd0, 0x5fbe2803, 0x2cfbc105, 0x013dbc4e, 0x7a37820f, 0x39f88e9e, 0xedd58794, 0xc5076689, 
  0xfcada5a4, 0x64c2f46d, 0xb3ba3243, 0x8974b4f9, 0x5a05aebd, 0x20afcd00, 0x39e2b008, 0x88a18a45, 
  0x600bde29, 0xf3971ace, 0xf37b0a6b, 0x7041495b, 0x70b707ab, 0x06beffbb, 0x4206051f, 0xe13c4ee3, 
  0xc1a78327, 0x91aa067c, 0x8295f72a, 0x732917a6, 0x1d871b4d, 0x4048f136, 0xf1840e7e, 0x6a6048c1, 
  0x696cb71a, 0x7ff501c3, 0x0fc6310b, 0x57e0f83d, 0x8cc26e74, 0x11a525a2, 0x946934c7, 0x7cd888f0, 
  0x8f9d8604, 0x4f86e73b, 0x04520316, 0xdeeea20c, 0xf1def496, 0x67687288, 0xf540c5b2, 0x22401484, 
  0x3478658a, 0xc2385746, 0x01979c2c, 0x5dad73c8, 0x0321f58b, 0xf0fedbee, 0x92826ddf, 0x284bec73, 
  0x5b1a1975, 0x03df1e11, 0x20963e01, 0xa17cf12b, 0x740d776e, 0xa7a6bf3c, 0x01b5cce4, 0x1118aa76, 
  0xfc6fac0a, 0xce927e9b, 0x00bf2567, 0x806f216c, 0xbca69056, 0x795bd3e9, 0xc9dc4557, 0x8929b6c2, 
  0x789d52ec, 0x3f3fbf40, 0xb9197368, 0xa38c15b5, 0xc3b44fa8, 0xca8333b0, 0xb7e8d590, 0xbe807feb, 
  0xbf5f8360, 0xd99e2f5c, 0x372928e1, 0x7c757c4c, 0x0db5b154, 0xc01ede02, 0x1fc86e78, 0x1f3985be, 
  0xb4805c77, 0x00c880fa, 0x974c1b12, 0x35ab0214, 0xb2dc840d, 0x5b00ae37, 0xd313b026, 0xb260969d, 
  0x7f4c8879, 0x1734c4d3, 0x49068631, 0xb9f6a021, 0x6b863e6f, 0xcee5debf, 0x29f8c9fb, 0x53dd6880, 
  0x72b61223, 0x1f67a9fd, 0x0a0f6993, 0x13e59119, 0x11cca12e, 0xfe6b6766, 0x16b6effc, 0x97918fc4, 
  0xc2b8a563, 0x94f2f741, 0x0bfa8c9a, 0xd1537ae8, 0xc1da349c, 0x873c60ca, 0x95005b85, 0x9b5c080e, 
  0xbc8abbd9, 0xe1eab1d2, 0x6dac9070, 0x4ea9ebf1, 0xe0cf30d4, 0x1ef5bd7b, 0xd161043e, 0x5d2fa2e2, 
  0xff5d3cae, 0x86ed9f87, 0x2aa1daa1, 0xbd731a34, 0x9e8f4b22, 0xb1c2c67a, 0xc21758c9, 0xa182215d, 
  0xccb01948, 0x8d168df7, 0x04238cfe, 0x368c3dbc, 0x0aeadca5, 0xbad21c24, 0x0a71fee5, 0x9fc5d872, 
  0x54c152c6, 0xfc329483, 0x6783384a, 0xeddb3e1c, 0x65f90e30, 0x884ad098, 0xce81675a, 0x4b372f7d, 
  0x68bf9a39, 0x43445f1e, 0x40f8d8cb, 0x90d5acb6, 0x4cd07282, 0x349eeb06, 0x0c9d5332, 0x520b24ef, 
  0x80020447, 0x67976491, 0x2f931ca3, 0xfe9b0535, 0xfcd30220, 0x61a9e6cc, 0xa487d8d7, 0x3f7c5dd1, 
  0x7d0127c5, 0x48f51d15, 0x60dea871, 0xc9a91cb7, 0x58b53bb3, 0x9d5e0b2d, 0x624a78b4, 0x30dbee1b, 
  0x9bdf22e7, 0x1df5c299, 0x2d5643a7, 0xf4dd35ff, 0x03ca8fd6, 0x53b47ed8, 0x6f2c19aa, 0xfeb0c1f4, 
  0x49e54438, 0x2f2577e6, 0xbf876969, 0x72440ea9, 0xfa0bafb8, 0x74f5b3a0, 0x7dd357cd, 0x89ce1358, 
  0x6ef2cdda, 0x1e7767f3, 0xa6be9fdb, 0x4f5f88f8, 0xba994a3a, 0x08ca6b65, 0xe0893818, 0x9e00a16a, 
  0xf42bfc8f, 0x9972eedc, 0x749c8b51, 0x32c05f5e, 0xd706805f, 0x6bfbb7cf, 0xd9210a10, 0x31a1db97, 
  0x923a9559, 0x37a7a1f6, 0x059f8861, 0xca493e62, 0x65157e81, 0x8f6467dd, 0xab85ff9f, 0x9331aff2, 
  0x8616b9f5, 0xedbd5695, 0xee7e29b1, 0x313ac44f, 0xb903112f, 0x432ef649, 0xdc0a36c0, 0x61cf2bba, 
  0x81474925, 0xa8b6c7ad, 0xee5931de, 0xb2f8158d, 0x59fb7409, 0x2e3dfaed, 0x9af25a3f, 0xe1fed4d5
]);

/** Golomb-Rice code limit in bits for every family (DEFmaxclen) */
const MAX_CODE_LEN = 26;

/**
 * One code family per sample depth (8 bits for RGB24/32/RGBA/GRAY, 5 bits for RGB16). For each
 * code parameter l, values below nGR[l] use a Golomb-Rice codeword (unary quotient, a 1, then l
 * low bits); the rest use an escape: altPrefix[l] zero bits and a fixed-length suffix.
 */
export interface QuicFamily {
  bpc: number;
  /** 2^bpc − 1 */
  mask: number;
  /** number of leading zero bits that marks the escape codeword */
  altPrefix: Uint8Array;
  nGR: Uint16Array;
  notGRlen: Uint8Array;
  notGRsuffixMask: Uint32Array;
  /** codeword length of value v with parameter l at [v * 8 + l], for model updates */
  codeLen: Uint8Array;
  /** error code (0, −1, +1, −2 … folded to 0,1,2,3 …) back to a signed difference mod 2^bpc */
  unfold: Uint8Array;
  /** context value (previous code) → bucket number */
  bucketOf: Uint8Array;
  nBuckets: number;
}

function ceilLog2(v: number): number {
  let r = 0;
  while (1 << r < v) r++;
  return r;
}

function makeFamily(bpc: number): QuicFamily {
  const levels = 1 << bpc;
  const mask = levels - 1;
  const altPrefix = new Uint8Array(8);
  const nGR = new Uint16Array(8);
  const notGRlen = new Uint8Array(8);
  const notGRsuffixMask = new Uint32Array(8);
  const codeLen = new Uint8Array(256 * 8);
  for (let l = 0; l < bpc; l++) {
    // the escape prefix is as long as the length limit allows, but no longer than the number of
    // quotients a value below 2^bpc can have
    const alt = Math.min(MAX_CODE_LEN - bpc, (1 << (bpc - l)) - 1);
    const suffix = ceilLog2(levels - (alt << l));
    altPrefix[l] = alt;
    nGR[l] = alt << l;
    notGRlen[l] = alt + suffix;
    notGRsuffixMask[l] = (1 << suffix) - 1;
    for (let v = 0; v < 256; v++) codeLen[v * 8 + l] = v < nGR[l] ? (v >> l) + l + 1 : notGRlen[l];
  }
  const unfold = new Uint8Array(256);
  for (let s = 0; s < levels; s++) unfold[s] = s & 1 ? mask - (s >> 1) : s >> 1;
  // model evolution 3: contexts are grouped into buckets of sizes 1, 2, 4, 8 …; a bucket whose
  // successor would run past the last level absorbs the rest (find_model_params)
  const bucketOf = new Uint8Array(levels);
  let start = 0;
  let size = 1;
  let n = 0;
  while (start < levels) {
    let end = start + size - 1;
    if (end + size >= levels) end = levels - 1;
    for (let v = start; v <= end; v++) bucketOf[v] = n;
    n++;
    start = end + 1;
    size *= 2;
  }
  return { bpc, mask, altPrefix, nGR, notGRlen, notGRsuffixMask, codeLen, unfold, bucketOf, nBuckets: n };
}

export const FAMILY_8 = makeFamily(8);
export const FAMILY_5 = makeFamily(5);
