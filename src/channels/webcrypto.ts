/**
 * Ticket encryption with WebCrypto RSA-OAEP/SHA-1 (spice-protocol.md §1.3). Available on the main
 * thread and in workers of a secure context (https, or http on localhost/127.0.0.1). The ciphertext
 * length always equals the modulus size; link.ts encryptTicket checks it.
 */
import type { RsaOaepEncrypt } from '../protocol/link';

export const webCryptoEncrypt: RsaOaepEncrypt = async (spki, data) => {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('WebCrypto is unavailable: open the client over https (or on localhost) to send a password');
  const key = await subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-1' }, false, ['encrypt']);
  return new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, key, data as Uint8Array<ArrayBuffer>));
};
