/**
 * Ticket encryption (spice-protocol.md §1.3): WebCrypto RSA-OAEP/SHA-1 where the page is a secure
 * context (https, or http on localhost/127.0.0.1); elsewhere crypto.subtle does not exist and the
 * same padding is done by protocol/rsa-oaep.ts (getRandomValues is available everywhere). Both
 * give a ciphertext of exactly the modulus size; link.ts encryptTicket checks it.
 */
import type { RsaOaepEncrypt } from '../protocol/link';
import { rsaOaepSha1Encrypt } from '../protocol/rsa-oaep';

export const webCryptoEncrypt: RsaOaepEncrypt = async (spki, data) => {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return rsaOaepSha1Encrypt(spki, data, (b) => globalThis.crypto.getRandomValues(b));
  const key = await subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-1' }, false, ['encrypt']);
  return new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, key, data as Uint8Array<ArrayBuffer>));
};
