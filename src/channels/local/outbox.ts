/**
 * The outbox's local "sender". A local message is delivered the moment it is queued: the /chat page reads it
 * straight from the outbox row (`GET /local/inbox`), whatever the row's status. Draining a local row therefore
 * only marks it sent, so the outbox does not keep retrying it.
 *
 * @example await drainOutbox(db, { feishu: feishuSender, local: localOutboxSender() }, now, {})
 */
export interface LocalOutboxRow {
  platform: string
  address: string
  key: string
}

export type LocalSendResult = { ok: true; messageId: string } | { ok: false; retryable: boolean; reason: string }

export function localOutboxSender() {
  return async (row: LocalOutboxRow): Promise<LocalSendResult> => {
    if (row.platform !== 'local' || !/^(person|group):\d+$/.test(row.address))
      return { ok: false, retryable: false, reason: `not a local address: ${row.platform} ${row.address}` }
    return { ok: true, messageId: `local:${row.key}` }
  }
}
