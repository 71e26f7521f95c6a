import { Type, type Static } from '@sinclair/typebox';

export const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100, description: 'e.g. settlement.approve, period.replace, staff.update' })),
    entityType: Type.Optional(Type.String({ maxLength: 100, description: 'hospital, scheme, department, staff, period, department_input, individual_input, annual, settlement, dispute, api_key' })),
    entityKey: Type.Optional(Type.String({ maxLength: 200 })),
    actor: Type.Optional(Type.String({ maxLength: 300 })),
    from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or time, inclusive (2026-11-01, 2026-11-01T08:00:00+08:00); a date alone is its first instant, UTC' })),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or time, inclusive; a date alone is its last instant, UTC' })),
    afterSeq: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);

export const AuditEvent = Type.Object(
  {
    hospital: Type.String(),
    seq: Type.Integer({ description: "the event's place in its hospital's chain, from 1" }),
    occurredAt: Type.String({ description: 'ISO 8601 time (UTC)' }),
    actor: Type.String({ description: 'who: bootstrap-admin, key:<id>:<name>, or system:…' }),
    action: Type.String(),
    entityType: Type.String(),
    entityKey: Type.String(),
    before: Type.Unknown({ description: 'the record before the change (null: none)' }),
    after: Type.Unknown({ description: 'the record after it (null: removed)' }),
    requestId: Type.Union([Type.String(), Type.Null()], { description: "the server's id of the request that made the change" }),
    prevHash: Type.String({ description: "the previous event's hash (64 zeros for the first)" }),
    hash: Type.String({ description: "SHA-256 of prevHash and this event's canonical JSON" }),
  },
  { description: 'an audit event' },
);
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditPage = Type.Object({ events: Type.Array(AuditEvent), nextAfterSeq: Type.Union([Type.Integer(), Type.Null()]) });

export const AuditVerification = Type.Object({
  valid: Type.Boolean(),
  events: Type.Integer({ description: 'events the chain holds' }),
  lastVerifiedSeq: Type.Integer({ description: 'the last event that verified (0: none)' }),
  anchoredSeq: Type.Integer({ description: 'the last event ever appended, by the anchor (0: none)' }),
  firstInvalidSeq: Type.Optional(Type.Integer()),
  reason: Type.Optional(Type.String()),
});
