/**
 * Storage figures docs/SECURITY.md states, as measured by
 * tests/workerd/storage-figures.test.ts (and checked against the doc by
 * tests/unit/security-doc.test.ts). Change one, and both tests say so.
 */

/** The longest refusal message the room stores: its reasons are cut at 200
 * characters (party/shared/apply.ts, the policy hook). */
export const REFUSAL_ROW_MAX_MESSAGE = 200;

/** SQLite bytes of the refused-mutation table at REJECT_MAX_ENTRIES rows of
 * the largest kind (64-character mid, longest code, 200-character message),
 * the measurement rounded up (4,153,344 bytes, 415 B a row, measured
 * December 2026 on workerd 1.20261023.1). */
export const REFUSAL_TABLE_BYTES_AT_CAP = 4_300_000;

/** SQLite bytes per row of the applied-mutation table (`mutations`: mid, seq,
 * at) with 64-character mids, the measurement rounded up (set from the
 * measurement in tests/workerd/storage-figures.test.ts). */
export const APPLIED_ID_ROW_BYTES = 200;

/** SQLite bytes, measured rounded up (tests/workerd/storage-figures.test.ts):
 * the webhook outbox at WEBHOOK_OUTBOX_MAX rows for each of
 * WEBHOOK_ENDPOINTS_MAX endpoints, the delivery log at WEBHOOK_LOG_MAX
 * entries, the metadata row at ROOM_METADATA_MAX_BYTES, and the asset table at
 * MAX_ASSETS_PER_ROOM entries with as many collection marks — every row the
 * largest the room writes. */
export const WEBHOOK_OUTBOX_BYTES_AT_CAP = 660_000; // 606,208 measured: 800 rows, ~760 B a row
export const WEBHOOK_LOG_BYTES_AT_CAP = 76_000; // 69,632 measured: 200 entries, ~350 B an entry
export const METADATA_ROW_BYTES = 4_500; // 4,096 measured
export const ASSET_TABLE_BYTES_AT_CAP = 550_000; // 499,712 measured: 2,000 entries and marks, ~250 B an asset
