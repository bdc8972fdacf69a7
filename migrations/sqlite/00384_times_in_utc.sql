-- +goose Up
-- Timestamps in UTC. SQLite has no timestamp type: the driver writes a time
-- as text with the value's own offset, and SQLite compares that text as
-- text, so a time written at +08:00 compared in the wrong order with one
-- written in UTC (a Shanghai site's report week missed its first eight
-- hours; rounds, deadlines and reminders were judged hours early or late).
-- The store now binds every time in UTC (internal/store/utc.go); this
-- rewrites the times already written with another offset as the same
-- instant in UTC, keeping the fraction of a second:
--   "2026-12-07 00:00:00.123456+08:00" -> "2026-12-06 16:00:00.123456+00:00".
-- Only values ending in an offset other than +00:00 that datetime() reads
-- are touched. template_versions is left out: its times were always the
-- server's (UTC) and its rows are immutable (a trigger refuses updates).

UPDATE alert_settings SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE assets SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE assets SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE audit_log SET at = datetime(substr(at, 1, 19) || substr(at, -6)) || substr(at, 20, length(at) - 25) || '+00:00'
    WHERE substr(at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(at, -6) <> '+00:00' AND datetime(substr(at, 1, 19) || substr(at, -6)) IS NOT NULL;
UPDATE changes SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE daily_safety_reports SET due_at = datetime(substr(due_at, 1, 19) || substr(due_at, -6)) || substr(due_at, 20, length(due_at) - 25) || '+00:00'
    WHERE substr(due_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(due_at, -6) <> '+00:00' AND datetime(substr(due_at, 1, 19) || substr(due_at, -6)) IS NOT NULL;
UPDATE daily_safety_reports SET submitted_at = datetime(substr(submitted_at, 1, 19) || substr(submitted_at, -6)) || substr(submitted_at, 20, length(submitted_at) - 25) || '+00:00'
    WHERE substr(submitted_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(submitted_at, -6) <> '+00:00' AND datetime(substr(submitted_at, 1, 19) || substr(submitted_at, -6)) IS NOT NULL;
UPDATE daily_safety_reports SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE default_schedules SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE default_schedules SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE devices SET last_seen_at = datetime(substr(last_seen_at, 1, 19) || substr(last_seen_at, -6)) || substr(last_seen_at, 20, length(last_seen_at) - 25) || '+00:00'
    WHERE substr(last_seen_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(last_seen_at, -6) <> '+00:00' AND datetime(substr(last_seen_at, 1, 19) || substr(last_seen_at, -6)) IS NOT NULL;
UPDATE devices SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE devices SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE drills SET opens_at = datetime(substr(opens_at, 1, 19) || substr(opens_at, -6)) || substr(opens_at, 20, length(opens_at) - 25) || '+00:00'
    WHERE substr(opens_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(opens_at, -6) <> '+00:00' AND datetime(substr(opens_at, 1, 19) || substr(opens_at, -6)) IS NOT NULL;
UPDATE drills SET due_at = datetime(substr(due_at, 1, 19) || substr(due_at, -6)) || substr(due_at, 20, length(due_at) - 25) || '+00:00'
    WHERE substr(due_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(due_at, -6) <> '+00:00' AND datetime(substr(due_at, 1, 19) || substr(due_at, -6)) IS NOT NULL;
UPDATE drills SET overdue_at = datetime(substr(overdue_at, 1, 19) || substr(overdue_at, -6)) || substr(overdue_at, 20, length(overdue_at) - 25) || '+00:00'
    WHERE substr(overdue_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(overdue_at, -6) <> '+00:00' AND datetime(substr(overdue_at, 1, 19) || substr(overdue_at, -6)) IS NOT NULL;
UPDATE drills SET held_at = datetime(substr(held_at, 1, 19) || substr(held_at, -6)) || substr(held_at, 20, length(held_at) - 25) || '+00:00'
    WHERE substr(held_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(held_at, -6) <> '+00:00' AND datetime(substr(held_at, 1, 19) || substr(held_at, -6)) IS NOT NULL;
UPDATE drills SET evaluated_at = datetime(substr(evaluated_at, 1, 19) || substr(evaluated_at, -6)) || substr(evaluated_at, 20, length(evaluated_at) - 25) || '+00:00'
    WHERE substr(evaluated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(evaluated_at, -6) <> '+00:00' AND datetime(substr(evaluated_at, 1, 19) || substr(evaluated_at, -6)) IS NOT NULL;
UPDATE drills SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE drills SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE duty_log_entries SET occurred_at = datetime(substr(occurred_at, 1, 19) || substr(occurred_at, -6)) || substr(occurred_at, 20, length(occurred_at) - 25) || '+00:00'
    WHERE substr(occurred_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(occurred_at, -6) <> '+00:00' AND datetime(substr(occurred_at, 1, 19) || substr(occurred_at, -6)) IS NOT NULL;
UPDATE duty_log_entries SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE duty_settings SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE duty_shifts SET starts_at = datetime(substr(starts_at, 1, 19) || substr(starts_at, -6)) || substr(starts_at, 20, length(starts_at) - 25) || '+00:00'
    WHERE substr(starts_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(starts_at, -6) <> '+00:00' AND datetime(substr(starts_at, 1, 19) || substr(starts_at, -6)) IS NOT NULL;
UPDATE duty_shifts SET ends_at = datetime(substr(ends_at, 1, 19) || substr(ends_at, -6)) || substr(ends_at, 20, length(ends_at) - 25) || '+00:00'
    WHERE substr(ends_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(ends_at, -6) <> '+00:00' AND datetime(substr(ends_at, 1, 19) || substr(ends_at, -6)) IS NOT NULL;
UPDATE duty_shifts SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE duty_shifts SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE duty_site_cutoffs SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE email_deliveries SET claimed_until = datetime(substr(claimed_until, 1, 19) || substr(claimed_until, -6)) || substr(claimed_until, 20, length(claimed_until) - 25) || '+00:00'
    WHERE substr(claimed_until, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(claimed_until, -6) <> '+00:00' AND datetime(substr(claimed_until, 1, 19) || substr(claimed_until, -6)) IS NOT NULL;
UPDATE email_deliveries SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE email_deliveries SET sent_at = datetime(substr(sent_at, 1, 19) || substr(sent_at, -6)) || substr(sent_at, 20, length(sent_at) - 25) || '+00:00'
    WHERE substr(sent_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(sent_at, -6) <> '+00:00' AND datetime(substr(sent_at, 1, 19) || substr(sent_at, -6)) IS NOT NULL;
UPDATE emergency_plan_versions SET published_at = datetime(substr(published_at, 1, 19) || substr(published_at, -6)) || substr(published_at, 20, length(published_at) - 25) || '+00:00'
    WHERE substr(published_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(published_at, -6) <> '+00:00' AND datetime(substr(published_at, 1, 19) || substr(published_at, -6)) IS NOT NULL;
UPDATE emergency_plans SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE emergency_plans SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE finding_escalations SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE finding_events SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE finding_versions SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE findings SET due_at = datetime(substr(due_at, 1, 19) || substr(due_at, -6)) || substr(due_at, 20, length(due_at) - 25) || '+00:00'
    WHERE substr(due_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(due_at, -6) <> '+00:00' AND datetime(substr(due_at, 1, 19) || substr(due_at, -6)) IS NOT NULL;
UPDATE findings SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE findings SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE findings SET rectified_at = datetime(substr(rectified_at, 1, 19) || substr(rectified_at, -6)) || substr(rectified_at, 20, length(rectified_at) - 25) || '+00:00'
    WHERE substr(rectified_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(rectified_at, -6) <> '+00:00' AND datetime(substr(rectified_at, 1, 19) || substr(rectified_at, -6)) IS NOT NULL;
UPDATE findings SET verified_at = datetime(substr(verified_at, 1, 19) || substr(verified_at, -6)) || substr(verified_at, 20, length(verified_at) - 25) || '+00:00'
    WHERE substr(verified_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(verified_at, -6) <> '+00:00' AND datetime(substr(verified_at, 1, 19) || substr(verified_at, -6)) IS NOT NULL;
UPDATE findings SET closed_at = datetime(substr(closed_at, 1, 19) || substr(closed_at, -6)) || substr(closed_at, 20, length(closed_at) - 25) || '+00:00'
    WHERE substr(closed_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(closed_at, -6) <> '+00:00' AND datetime(substr(closed_at, 1, 19) || substr(closed_at, -6)) IS NOT NULL;
UPDATE idempotency_keys SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE incident_events SET client_time = datetime(substr(client_time, 1, 19) || substr(client_time, -6)) || substr(client_time, 20, length(client_time) - 25) || '+00:00'
    WHERE substr(client_time, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(client_time, -6) <> '+00:00' AND datetime(substr(client_time, 1, 19) || substr(client_time, -6)) IS NOT NULL;
UPDATE incident_events SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE incidents SET occurred_at = datetime(substr(occurred_at, 1, 19) || substr(occurred_at, -6)) || substr(occurred_at, 20, length(occurred_at) - 25) || '+00:00'
    WHERE substr(occurred_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(occurred_at, -6) <> '+00:00' AND datetime(substr(occurred_at, 1, 19) || substr(occurred_at, -6)) IS NOT NULL;
UPDATE incidents SET received_at = datetime(substr(received_at, 1, 19) || substr(received_at, -6)) || substr(received_at, 20, length(received_at) - 25) || '+00:00'
    WHERE substr(received_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(received_at, -6) <> '+00:00' AND datetime(substr(received_at, 1, 19) || substr(received_at, -6)) IS NOT NULL;
UPDATE incidents SET ack_due_at = datetime(substr(ack_due_at, 1, 19) || substr(ack_due_at, -6)) || substr(ack_due_at, 20, length(ack_due_at) - 25) || '+00:00'
    WHERE substr(ack_due_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(ack_due_at, -6) <> '+00:00' AND datetime(substr(ack_due_at, 1, 19) || substr(ack_due_at, -6)) IS NOT NULL;
UPDATE incidents SET acknowledged_at = datetime(substr(acknowledged_at, 1, 19) || substr(acknowledged_at, -6)) || substr(acknowledged_at, 20, length(acknowledged_at) - 25) || '+00:00'
    WHERE substr(acknowledged_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(acknowledged_at, -6) <> '+00:00' AND datetime(substr(acknowledged_at, 1, 19) || substr(acknowledged_at, -6)) IS NOT NULL;
UPDATE incidents SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE incidents SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE incidents SET report_due_at = datetime(substr(report_due_at, 1, 19) || substr(report_due_at, -6)) || substr(report_due_at, 20, length(report_due_at) - 25) || '+00:00'
    WHERE substr(report_due_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(report_due_at, -6) <> '+00:00' AND datetime(substr(report_due_at, 1, 19) || substr(report_due_at, -6)) IS NOT NULL;
UPDATE incidents SET handle_due_at = datetime(substr(handle_due_at, 1, 19) || substr(handle_due_at, -6)) || substr(handle_due_at, 20, length(handle_due_at) - 25) || '+00:00'
    WHERE substr(handle_due_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(handle_due_at, -6) <> '+00:00' AND datetime(substr(handle_due_at, 1, 19) || substr(handle_due_at, -6)) IS NOT NULL;
UPDATE incidents SET summary_due_at = datetime(substr(summary_due_at, 1, 19) || substr(summary_due_at, -6)) || substr(summary_due_at, 20, length(summary_due_at) - 25) || '+00:00'
    WHERE substr(summary_due_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(summary_due_at, -6) <> '+00:00' AND datetime(substr(summary_due_at, 1, 19) || substr(summary_due_at, -6)) IS NOT NULL;
UPDATE incidents SET handling_at = datetime(substr(handling_at, 1, 19) || substr(handling_at, -6)) || substr(handling_at, 20, length(handling_at) - 25) || '+00:00'
    WHERE substr(handling_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(handling_at, -6) <> '+00:00' AND datetime(substr(handling_at, 1, 19) || substr(handling_at, -6)) IS NOT NULL;
UPDATE incidents SET resolved_at = datetime(substr(resolved_at, 1, 19) || substr(resolved_at, -6)) || substr(resolved_at, 20, length(resolved_at) - 25) || '+00:00'
    WHERE substr(resolved_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(resolved_at, -6) <> '+00:00' AND datetime(substr(resolved_at, 1, 19) || substr(resolved_at, -6)) IS NOT NULL;
UPDATE incidents SET summarized_at = datetime(substr(summarized_at, 1, 19) || substr(summarized_at, -6)) || substr(summarized_at, 20, length(summarized_at) - 25) || '+00:00'
    WHERE substr(summarized_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(summarized_at, -6) <> '+00:00' AND datetime(substr(summarized_at, 1, 19) || substr(summarized_at, -6)) IS NOT NULL;
UPDATE incidents SET closed_at = datetime(substr(closed_at, 1, 19) || substr(closed_at, -6)) || substr(closed_at, 20, length(closed_at) - 25) || '+00:00'
    WHERE substr(closed_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(closed_at, -6) <> '+00:00' AND datetime(substr(closed_at, 1, 19) || substr(closed_at, -6)) IS NOT NULL;
UPDATE inspection_events SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE inspections SET started_at = datetime(substr(started_at, 1, 19) || substr(started_at, -6)) || substr(started_at, 20, length(started_at) - 25) || '+00:00'
    WHERE substr(started_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(started_at, -6) <> '+00:00' AND datetime(substr(started_at, 1, 19) || substr(started_at, -6)) IS NOT NULL;
UPDATE inspections SET submitted_at = datetime(substr(submitted_at, 1, 19) || substr(submitted_at, -6)) || substr(submitted_at, 20, length(submitted_at) - 25) || '+00:00'
    WHERE substr(submitted_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(submitted_at, -6) <> '+00:00' AND datetime(substr(submitted_at, 1, 19) || substr(submitted_at, -6)) IS NOT NULL;
UPDATE inspections SET received_at = datetime(substr(received_at, 1, 19) || substr(received_at, -6)) || substr(received_at, 20, length(received_at) - 25) || '+00:00'
    WHERE substr(received_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(received_at, -6) <> '+00:00' AND datetime(substr(received_at, 1, 19) || substr(received_at, -6)) IS NOT NULL;
UPDATE inspections SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE inspections SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE inspections SET approved_at = datetime(substr(approved_at, 1, 19) || substr(approved_at, -6)) || substr(approved_at, 20, length(approved_at) - 25) || '+00:00'
    WHERE substr(approved_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(approved_at, -6) <> '+00:00' AND datetime(substr(approved_at, 1, 19) || substr(approved_at, -6)) IS NOT NULL;
UPDATE login_throttle SET window_start = datetime(substr(window_start, 1, 19) || substr(window_start, -6)) || substr(window_start, 20, length(window_start) - 25) || '+00:00'
    WHERE substr(window_start, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(window_start, -6) <> '+00:00' AND datetime(substr(window_start, 1, 19) || substr(window_start, -6)) IS NOT NULL;
UPDATE login_throttle SET locked_until = datetime(substr(locked_until, 1, 19) || substr(locked_until, -6)) || substr(locked_until, 20, length(locked_until) - 25) || '+00:00'
    WHERE substr(locked_until, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(locked_until, -6) <> '+00:00' AND datetime(substr(locked_until, 1, 19) || substr(locked_until, -6)) IS NOT NULL;
UPDATE media SET captured_at = datetime(substr(captured_at, 1, 19) || substr(captured_at, -6)) || substr(captured_at, 20, length(captured_at) - 25) || '+00:00'
    WHERE substr(captured_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(captured_at, -6) <> '+00:00' AND datetime(substr(captured_at, 1, 19) || substr(captured_at, -6)) IS NOT NULL;
UPDATE media SET linked_at = datetime(substr(linked_at, 1, 19) || substr(linked_at, -6)) || substr(linked_at, 20, length(linked_at) - 25) || '+00:00'
    WHERE substr(linked_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(linked_at, -6) <> '+00:00' AND datetime(substr(linked_at, 1, 19) || substr(linked_at, -6)) IS NOT NULL;
UPDATE media SET stored_at = datetime(substr(stored_at, 1, 19) || substr(stored_at, -6)) || substr(stored_at, 20, length(stored_at) - 25) || '+00:00'
    WHERE substr(stored_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(stored_at, -6) <> '+00:00' AND datetime(substr(stored_at, 1, 19) || substr(stored_at, -6)) IS NOT NULL;
UPDATE media SET deleted_at = datetime(substr(deleted_at, 1, 19) || substr(deleted_at, -6)) || substr(deleted_at, 20, length(deleted_at) - 25) || '+00:00'
    WHERE substr(deleted_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(deleted_at, -6) <> '+00:00' AND datetime(substr(deleted_at, 1, 19) || substr(deleted_at, -6)) IS NOT NULL;
UPDATE media SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE media SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE media_links SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE notifications SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE orgs SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE orgs SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE plan_acknowledgements SET client_time = datetime(substr(client_time, 1, 19) || substr(client_time, -6)) || substr(client_time, 20, length(client_time) - 25) || '+00:00'
    WHERE substr(client_time, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(client_time, -6) <> '+00:00' AND datetime(substr(client_time, 1, 19) || substr(client_time, -6)) IS NOT NULL;
UPDATE plan_acknowledgements SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE push_results SET received_at = datetime(substr(received_at, 1, 19) || substr(received_at, -6)) || substr(received_at, 20, length(received_at) - 25) || '+00:00'
    WHERE substr(received_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(received_at, -6) <> '+00:00' AND datetime(substr(received_at, 1, 19) || substr(received_at, -6)) IS NOT NULL;
UPDATE reference_values SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE reference_values SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE refresh_tokens SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE refresh_tokens SET expires_at = datetime(substr(expires_at, 1, 19) || substr(expires_at, -6)) || substr(expires_at, 20, length(expires_at) - 25) || '+00:00'
    WHERE substr(expires_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(expires_at, -6) <> '+00:00' AND datetime(substr(expires_at, 1, 19) || substr(expires_at, -6)) IS NOT NULL;
UPDATE refresh_tokens SET used_at = datetime(substr(used_at, 1, 19) || substr(used_at, -6)) || substr(used_at, 20, length(used_at) - 25) || '+00:00'
    WHERE substr(used_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(used_at, -6) <> '+00:00' AND datetime(substr(used_at, 1, 19) || substr(used_at, -6)) IS NOT NULL;
UPDATE round_exceptions SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE rounds SET slot_at = datetime(substr(slot_at, 1, 19) || substr(slot_at, -6)) || substr(slot_at, 20, length(slot_at) - 25) || '+00:00'
    WHERE substr(slot_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(slot_at, -6) <> '+00:00' AND datetime(substr(slot_at, 1, 19) || substr(slot_at, -6)) IS NOT NULL;
UPDATE rounds SET window_start = datetime(substr(window_start, 1, 19) || substr(window_start, -6)) || substr(window_start, 20, length(window_start) - 25) || '+00:00'
    WHERE substr(window_start, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(window_start, -6) <> '+00:00' AND datetime(substr(window_start, 1, 19) || substr(window_start, -6)) IS NOT NULL;
UPDATE rounds SET window_end = datetime(substr(window_end, 1, 19) || substr(window_end, -6)) || substr(window_end, 20, length(window_end) - 25) || '+00:00'
    WHERE substr(window_end, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(window_end, -6) <> '+00:00' AND datetime(substr(window_end, 1, 19) || substr(window_end, -6)) IS NOT NULL;
UPDATE rounds SET judged_at = datetime(substr(judged_at, 1, 19) || substr(judged_at, -6)) || substr(judged_at, 20, length(judged_at) - 25) || '+00:00'
    WHERE substr(judged_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(judged_at, -6) <> '+00:00' AND datetime(substr(judged_at, 1, 19) || substr(judged_at, -6)) IS NOT NULL;
UPDATE rounds SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE rounds SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE routes SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE routes SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE scans SET scanned_at = datetime(substr(scanned_at, 1, 19) || substr(scanned_at, -6)) || substr(scanned_at, 20, length(scanned_at) - 25) || '+00:00'
    WHERE substr(scanned_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(scanned_at, -6) <> '+00:00' AND datetime(substr(scanned_at, 1, 19) || substr(scanned_at, -6)) IS NOT NULL;
UPDATE scans SET received_at = datetime(substr(received_at, 1, 19) || substr(received_at, -6)) || substr(received_at, 20, length(received_at) - 25) || '+00:00'
    WHERE substr(received_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(received_at, -6) <> '+00:00' AND datetime(substr(received_at, 1, 19) || substr(received_at, -6)) IS NOT NULL;
UPDATE scans SET gps_time = datetime(substr(gps_time, 1, 19) || substr(gps_time, -6)) || substr(gps_time, 20, length(gps_time) - 25) || '+00:00'
    WHERE substr(gps_time, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(gps_time, -6) <> '+00:00' AND datetime(substr(gps_time, 1, 19) || substr(gps_time, -6)) IS NOT NULL;
UPDATE schedules SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE schedules SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE sessions SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE sessions SET revoked_at = datetime(substr(revoked_at, 1, 19) || substr(revoked_at, -6)) || substr(revoked_at, 20, length(revoked_at) - 25) || '+00:00'
    WHERE substr(revoked_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(revoked_at, -6) <> '+00:00' AND datetime(substr(revoked_at, 1, 19) || substr(revoked_at, -6)) IS NOT NULL;
UPDATE shift_handovers SET handed_at = datetime(substr(handed_at, 1, 19) || substr(handed_at, -6)) || substr(handed_at, 20, length(handed_at) - 25) || '+00:00'
    WHERE substr(handed_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(handed_at, -6) <> '+00:00' AND datetime(substr(handed_at, 1, 19) || substr(handed_at, -6)) IS NOT NULL;
UPDATE shift_handovers SET outgoing_signed_at = datetime(substr(outgoing_signed_at, 1, 19) || substr(outgoing_signed_at, -6)) || substr(outgoing_signed_at, 20, length(outgoing_signed_at) - 25) || '+00:00'
    WHERE substr(outgoing_signed_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(outgoing_signed_at, -6) <> '+00:00' AND datetime(substr(outgoing_signed_at, 1, 19) || substr(outgoing_signed_at, -6)) IS NOT NULL;
UPDATE shift_handovers SET incoming_signed_at = datetime(substr(incoming_signed_at, 1, 19) || substr(incoming_signed_at, -6)) || substr(incoming_signed_at, 20, length(incoming_signed_at) - 25) || '+00:00'
    WHERE substr(incoming_signed_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(incoming_signed_at, -6) <> '+00:00' AND datetime(substr(incoming_signed_at, 1, 19) || substr(incoming_signed_at, -6)) IS NOT NULL;
UPDATE shift_handovers SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE shift_handovers SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE sites SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE sites SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE templates SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE templates SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE training_attendance SET signed_in_at = datetime(substr(signed_in_at, 1, 19) || substr(signed_in_at, -6)) || substr(signed_in_at, 20, length(signed_in_at) - 25) || '+00:00'
    WHERE substr(signed_in_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(signed_in_at, -6) <> '+00:00' AND datetime(substr(signed_in_at, 1, 19) || substr(signed_in_at, -6)) IS NOT NULL;
UPDATE training_attendance SET recorded_at = datetime(substr(recorded_at, 1, 19) || substr(recorded_at, -6)) || substr(recorded_at, 20, length(recorded_at) - 25) || '+00:00'
    WHERE substr(recorded_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(recorded_at, -6) <> '+00:00' AND datetime(substr(recorded_at, 1, 19) || substr(recorded_at, -6)) IS NOT NULL;
UPDATE training_sessions SET starts_at = datetime(substr(starts_at, 1, 19) || substr(starts_at, -6)) || substr(starts_at, 20, length(starts_at) - 25) || '+00:00'
    WHERE substr(starts_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(starts_at, -6) <> '+00:00' AND datetime(substr(starts_at, 1, 19) || substr(starts_at, -6)) IS NOT NULL;
UPDATE training_sessions SET ends_at = datetime(substr(ends_at, 1, 19) || substr(ends_at, -6)) || substr(ends_at, 20, length(ends_at) - 25) || '+00:00'
    WHERE substr(ends_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(ends_at, -6) <> '+00:00' AND datetime(substr(ends_at, 1, 19) || substr(ends_at, -6)) IS NOT NULL;
UPDATE training_sessions SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE training_sessions SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE user_keys SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE user_keys SET revoked_at = datetime(substr(revoked_at, 1, 19) || substr(revoked_at, -6)) || substr(revoked_at, 20, length(revoked_at) - 25) || '+00:00'
    WHERE substr(revoked_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(revoked_at, -6) <> '+00:00' AND datetime(substr(revoked_at, 1, 19) || substr(revoked_at, -6)) IS NOT NULL;
UPDATE users SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE users SET updated_at = datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) || substr(updated_at, 20, length(updated_at) - 25) || '+00:00'
    WHERE substr(updated_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(updated_at, -6) <> '+00:00' AND datetime(substr(updated_at, 1, 19) || substr(updated_at, -6)) IS NOT NULL;
UPDATE webhook_deliveries SET claimed_until = datetime(substr(claimed_until, 1, 19) || substr(claimed_until, -6)) || substr(claimed_until, 20, length(claimed_until) - 25) || '+00:00'
    WHERE substr(claimed_until, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(claimed_until, -6) <> '+00:00' AND datetime(substr(claimed_until, 1, 19) || substr(claimed_until, -6)) IS NOT NULL;
UPDATE webhook_deliveries SET created_at = datetime(substr(created_at, 1, 19) || substr(created_at, -6)) || substr(created_at, 20, length(created_at) - 25) || '+00:00'
    WHERE substr(created_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(created_at, -6) <> '+00:00' AND datetime(substr(created_at, 1, 19) || substr(created_at, -6)) IS NOT NULL;
UPDATE webhook_deliveries SET delivered_at = datetime(substr(delivered_at, 1, 19) || substr(delivered_at, -6)) || substr(delivered_at, 20, length(delivered_at) - 25) || '+00:00'
    WHERE substr(delivered_at, -6) GLOB '[+-][0-9][0-9]:[0-9][0-9]' AND substr(delivered_at, -6) <> '+00:00' AND datetime(substr(delivered_at, 1, 19) || substr(delivered_at, -6)) IS NOT NULL;
