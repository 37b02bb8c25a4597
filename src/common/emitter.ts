/** A small typed event emitter (xterm.js-style), so cores need no DOM EventTarget subclassing. */
export class Emitter<Events extends Record<string, unknown>> {
  private handlers: { [K in keyof Events]?: Array<(e: Events[K]) => void> } = {};

  on<K extends keyof Events>(type: K, fn: (e: Events[K]) => void): () => void {
    (this.handlers[type] ??= []).push(fn);
    return () => {
      const list = this.handlers[type];
      if (list) this.handlers[type] = list.filter((f) => f !== fn);
    };
  }

  emit<K extends keyof Events>(type: K, e: Events[K]): void {
    const list = this.handlers[type];
    if (list) for (const fn of list.slice()) fn(e);
  }
}
