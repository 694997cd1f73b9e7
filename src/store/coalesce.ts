/**
 * Group commit: calls made during one turn of the event loop reach the database as one statement, so one
 * commit. Under load, the thirty webhooks whose decryption finished in the same turn are stored together
 * instead of paying thirty commits; a lone call waits one turn, well under a millisecond.
 *
 * @example
 *   const record = coalesce((rows: InboundRow[]) => recordInboundMany(db, rows), INBOUND_BATCH)
 *   const id = await record(row) // resolves with this row's result
 */
export function coalesce<I, O>(flush: (items: I[]) => Promise<O[]>, maxBatch: number): (item: I) => Promise<O> {
  let waiting: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = []
  const run = () => {
    const all = waiting
    waiting = []
    for (let i = 0; i < all.length; i += maxBatch) {
      const batch = all.slice(i, i + maxBatch)
      // A failed statement fails every call in it: nothing in it was stored, and each caller answers so.
      new Promise<O[]>((resolve) => resolve(flush(batch.map((b) => b.item)))).then(
        (out) => batch.forEach((b, k) => b.resolve(out[k] as O)),
        (e: unknown) => batch.forEach((b) => b.reject(e)),
      )
    }
  }
  return (item) =>
    new Promise<O>((resolve, reject) => {
      if (waiting.length === 0) nextTurn(run)
      waiting.push({ item, resolve, reject })
    })
}

/** After the I/O already received in this turn has been handled (setImmediate), else on a zero timeout. */
const nextTurn: (f: () => void) => void =
  typeof globalThis.setImmediate === 'function' ? (f) => void globalThis.setImmediate(f) : (f) => void setTimeout(f, 0)
