/**
 * Protocol constants, named as in spice-protocol `spice/enums.h` and `spice/protocol.h`
 * (prefix SPICE_ dropped, grouped by enum). Values: spice-protocol.md §0–§10.
 */

export const SPICE_MAGIC = 0x51444552; // "REDQ" read as LE u32
export const SPICE_VERSION_MAJOR = 2;
export const SPICE_VERSION_MINOR = 2;
export const SPICE_TICKET_PUBKEY_BYTES = 162;
export const SPICE_MAX_PASSWORD_LENGTH = 60;

export const ChannelType = {
  MAIN: 1,
  DISPLAY: 2,
  INPUTS: 3,
  CURSOR: 4,
  PLAYBACK: 5,
  RECORD: 6,
  TUNNEL: 7,
  SMARTCARD: 8,
  USBREDIR: 9,
  PORT: 10,
  WEBDAV: 11,
} as const;
export type ChannelType = (typeof ChannelType)[keyof typeof ChannelType];

export function channelTypeName(t: number): string {
  for (const [k, v] of Object.entries(ChannelType)) if (v === t) return k.toLowerCase();
  return `channel-type-${t}`;
}

/** SpiceLinkErr */
export const LinkErr = {
  OK: 0,
  ERROR: 1,
  INVALID_MAGIC: 2,
  INVALID_DATA: 3,
  VERSION_MISMATCH: 4,
  NEED_SECURED: 5,
  NEED_UNSECURED: 6,
  PERMISSION_DENIED: 7,
  BAD_CONNECTION_ID: 8,
  CHANNEL_NOT_AVAILABLE: 9,
} as const;

export function linkErrText(e: number): string {
  switch (e) {
    case LinkErr.OK: return 'ok';
    case LinkErr.ERROR: return 'the server reported a link error';
    case LinkErr.INVALID_MAGIC: return 'invalid magic (not a SPICE server?)';
    case LinkErr.INVALID_DATA: return 'the server rejected our link data';
    case LinkErr.VERSION_MISMATCH: return 'protocol version mismatch';
    case LinkErr.NEED_SECURED: return 'the server requires TLS for this channel';
    case LinkErr.NEED_UNSECURED: return 'the server requires a plain connection for this channel';
    case LinkErr.PERMISSION_DENIED: return 'permission denied (wrong or expired password)';
    case LinkErr.BAD_CONNECTION_ID: return 'unknown session (bad connection id)';
    case LinkErr.CHANNEL_NOT_AVAILABLE: return 'channel not available';
    default: return `link error ${e}`;
  }
}

/** SPICE_COMMON_CAP_* */
export const CommonCap = {
  PROTOCOL_AUTH_SELECTION: 0,
  AUTH_SPICE: 1,
  AUTH_SASL: 2,
  MINI_HEADER: 3,
} as const;

/** SPICE_MAIN_CAP_* */
export const MainCap = {
  SEMI_SEAMLESS_MIGRATE: 0,
  NAME_AND_UUID: 1,
  AGENT_CONNECTED_TOKENS: 2,
  SEAMLESS_MIGRATE: 3,
} as const;

/** SPICE_DISPLAY_CAP_* */
export const DisplayCap = {
  SIZED_STREAM: 0,
  MONITORS_CONFIG: 1,
  COMPOSITE: 2,
  A8_SURFACE: 3,
  STREAM_REPORT: 4,
  LZ4_COMPRESSION: 5,
  PREF_COMPRESSION: 6,
  GL_SCANOUT: 7,
  MULTI_CODEC: 8,
  CODEC_MJPEG: 9,
  CODEC_VP8: 10,
  CODEC_H264: 11,
  PREF_VIDEO_CODEC_TYPE: 12,
  CODEC_VP9: 13,
  CODEC_H265: 14,
} as const;

export const InputsCap = { KEY_SCANCODE: 0 } as const;
export const PlaybackCap = { CELT_0_5_1: 0, VOLUME: 1, LATENCY: 2, OPUS: 3 } as const;
export const RecordCap = { CELT_0_5_1: 0, VOLUME: 1, OPUS: 2 } as const;

/** SPICE_MSG_* common to every channel (server → client) */
export const Msg = {
  MIGRATE: 1,
  MIGRATE_DATA: 2,
  SET_ACK: 3,
  PING: 4,
  WAIT_FOR_CHANNELS: 5,
  DISCONNECTING: 6,
  NOTIFY: 7,
  LIST: 8,
  BASE_LAST: 100,
} as const;

/** SPICE_MSGC_* common to every channel (client → server) */
export const Msgc = {
  ACK_SYNC: 1,
  ACK: 2,
  PONG: 3,
  MIGRATE_FLUSH_MARK: 4,
  MIGRATE_DATA: 5,
  DISCONNECTING: 6,
} as const;

export const MsgMain = {
  MIGRATE_BEGIN: 101,
  MIGRATE_CANCEL: 102,
  INIT: 103,
  CHANNELS_LIST: 104,
  MOUSE_MODE: 105,
  MULTI_MEDIA_TIME: 106,
  AGENT_CONNECTED: 107,
  AGENT_DISCONNECTED: 108,
  AGENT_DATA: 109,
  AGENT_TOKEN: 110,
  MIGRATE_SWITCH_HOST: 111,
  MIGRATE_END: 112,
  NAME: 113,
  UUID: 114,
  AGENT_CONNECTED_TOKENS: 115,
  MIGRATE_BEGIN_SEAMLESS: 116,
  MIGRATE_DST_SEAMLESS_ACK: 117,
  MIGRATE_DST_SEAMLESS_NACK: 118,
} as const;

export const MsgcMain = {
  CLIENT_INFO: 101,
  MIGRATE_CONNECTED: 102,
  MIGRATE_CONNECT_ERROR: 103,
  ATTACH_CHANNELS: 104,
  MOUSE_MODE_REQUEST: 105,
  AGENT_START: 106,
  AGENT_DATA: 107,
  AGENT_TOKEN: 108,
  MIGRATE_END: 109,
  MIGRATE_DST_DO_SEAMLESS: 110,
  MIGRATE_CONNECTED_SEAMLESS: 111,
} as const;

/** SpiceMouseMode (flags) */
export const MouseMode = { SERVER: 1, CLIENT: 2 } as const;

export const MsgDisplay = {
  MODE: 101,
  MARK: 102,
  RESET: 103,
  COPY_BITS: 104,
  INVAL_LIST: 105,
  INVAL_ALL_PIXMAPS: 106,
  INVAL_PALETTE: 107,
  INVAL_ALL_PALETTES: 108,
  STREAM_CREATE: 122,
  STREAM_DATA: 123,
  STREAM_CLIP: 124,
  STREAM_DESTROY: 125,
  STREAM_DESTROY_ALL: 126,
  DRAW_FILL: 302,
  DRAW_OPAQUE: 303,
  DRAW_COPY: 304,
  DRAW_BLEND: 305,
  DRAW_BLACKNESS: 306,
  DRAW_WHITENESS: 307,
  DRAW_INVERS: 308,
  DRAW_ROP3: 309,
  DRAW_STROKE: 310,
  DRAW_TEXT: 311,
  DRAW_TRANSPARENT: 312,
  DRAW_ALPHA_BLEND: 313,
  SURFACE_CREATE: 314,
  SURFACE_DESTROY: 315,
  STREAM_DATA_SIZED: 316,
  MONITORS_CONFIG: 317,
  DRAW_COMPOSITE: 318,
  STREAM_ACTIVATE_REPORT: 319,
  GL_SCANOUT_UNIX: 320,
  GL_DRAW: 321,
} as const;

export const MsgcDisplay = {
  INIT: 101,
  STREAM_REPORT: 102,
  PREFERRED_COMPRESSION: 103,
  GL_DRAW_DONE: 104,
  PREFERRED_VIDEO_CODEC_TYPE: 105,
} as const;

export const MsgInputs = { INIT: 101, KEY_MODIFIERS: 102, MOUSE_MOTION_ACK: 111 } as const;
export const MsgcInputs = {
  KEY_DOWN: 101,
  KEY_UP: 102,
  KEY_MODIFIERS: 103,
  KEY_SCANCODE: 104,
  MOUSE_MOTION: 111,
  MOUSE_POSITION: 112,
  MOUSE_PRESS: 113,
  MOUSE_RELEASE: 114,
} as const;
export const INPUT_MOTION_ACK_BUNCH = 4;

/** SpiceKeyboardModifierFlags */
export const KeyboardModifier = { SCROLL_LOCK: 1, NUM_LOCK: 2, CAPS_LOCK: 4 } as const;
/** SpiceMouseButton */
export const MouseButton = { INVALID: 0, LEFT: 1, MIDDLE: 2, RIGHT: 3, UP: 4, DOWN: 5, SIDE: 6, EXTRA: 7 } as const;
/** SpiceMouseButtonMask */
export const MouseButtonMask = { LEFT: 1, MIDDLE: 2, RIGHT: 4, UP: 8, DOWN: 16, SIDE: 32, EXTRA: 64 } as const;

export const MsgCursor = {
  INIT: 101,
  RESET: 102,
  SET: 103,
  MOVE: 104,
  HIDE: 105,
  TRAIL: 106,
  INVAL_ONE: 107,
  INVAL_ALL: 108,
} as const;

/** SpiceCursorType */
export const CursorType = { ALPHA: 0, MONO: 1, COLOR4: 2, COLOR8: 3, COLOR16: 4, COLOR24: 5, COLOR32: 6 } as const;
/** SpiceCursorFlags */
export const CursorFlags = { NONE: 1, CACHE_ME: 2, FROM_CACHE: 4 } as const;

/** SpiceImageType */
export const ImageType = {
  BITMAP: 0,
  QUIC: 1,
  RESERVED: 2,
  LZ_PLT: 100,
  LZ_RGB: 101,
  GLZ_RGB: 102,
  FROM_CACHE: 103,
  SURFACE: 104,
  JPEG: 105,
  FROM_CACHE_LOSSLESS: 106,
  ZLIB_GLZ_RGB: 107,
  JPEG_ALPHA: 108,
  LZ4: 109,
} as const;

export function imageTypeName(t: number): string {
  for (const [k, v] of Object.entries(ImageType)) if (v === t) return k;
  return `IMAGE_${t}`;
}

/** SpiceImageFlags */
export const ImageFlags = { CACHE_ME: 1, HIGH_BITS_SET: 2, CACHE_REPLACE_ME: 4 } as const;
/** SpiceBitmapFmt */
export const BitmapFmt = {
  INVALID: 0,
  _1BIT_LE: 1,
  _1BIT_BE: 2,
  _4BIT_LE: 3,
  _4BIT_BE: 4,
  _8BIT: 5,
  _16BIT: 6,
  _24BIT: 7,
  _32BIT: 8,
  RGBA: 9,
  _8BIT_A: 10,
} as const;
/** SpiceBitmapFlags */
export const BitmapFlags = { PAL_CACHE_ME: 1, PAL_FROM_CACHE: 2, TOP_DOWN: 4 } as const;
/** SpiceSurfaceFmt */
export const SurfaceFmt = { INVALID: 0, _1_A: 1, _8_A: 8, _16_555: 16, _16_565: 80, _32_xRGB: 32, _32_ARGB: 96 } as const;
/** SpiceSurfaceFlags */
export const SurfaceFlags = { PRIMARY: 1, STREAMING_MODE: 2 } as const;
/** SpiceClipType */
export const ClipType = { NONE: 0, RECTS: 1 } as const;
/** SpiceBrushType */
export const BrushType = { NONE: 0, SOLID: 1, PATTERN: 2 } as const;
/** SpiceMaskFlags */
export const MaskFlags = { INVERS: 1 } as const;
/** SpiceRopd */
export const Ropd = {
  INVERS_SRC: 1 << 0,
  INVERS_BRUSH: 1 << 1,
  INVERS_DEST: 1 << 2,
  OP_PUT: 1 << 3,
  OP_OR: 1 << 4,
  OP_AND: 1 << 5,
  OP_XOR: 1 << 6,
  OP_BLACKNESS: 1 << 7,
  OP_WHITENESS: 1 << 8,
  OP_INVERS: 1 << 9,
  INVERS_RES: 1 << 10,
} as const;
/** SpiceImageScaleMode */
export const ImageScaleMode = { INTERPOLATE: 0, NEAREST: 1 } as const;
/** SpiceImageCompression (PREFERRED_COMPRESSION) */
export const ImageCompression = { INVALID: 0, OFF: 1, AUTO_GLZ: 2, AUTO_LZ: 3, QUIC: 4, GLZ: 5, LZ: 6, LZ4: 7 } as const;
/** SpiceVideoCodecType */
export const VideoCodecType = { MJPEG: 1, VP8: 2, H264: 3, VP9: 4, H265: 5 } as const;
/** SpiceNotifySeverity */
export const NotifySeverity = { INFO: 0, WARN: 1, ERROR: 2 } as const;
