-- +goose Up
-- Who handed each payslip in, and the review of a correction that needs one.
--
-- actor is the subject of whoever handed the payslip in: a resident's sign-in, an
-- employer partner ("employer:<id>"), or a staff member. Rows from before this
-- migration have ''.
--
-- review is NULL for a payslip that counts as soon as it is stored. A correction of a
-- payslip a consulent recorded, handed in by anyone else (the resident in the portal),
-- is 'pending': it is stored, shown and audited, but does not replace the consulent's
-- payslip until a consulent confirms it ('confirmed') or declines it ('declined').
-- A payslip counts in a month when it is not superseded and not pending or declined.
ALTER TABLE payslips ADD COLUMN actor text NOT NULL DEFAULT '' CHECK (char_length(actor) <= 300);
ALTER TABLE payslips ADD COLUMN review text CHECK (review IN ('pending', 'confirmed', 'declined'));
ALTER TABLE payslips ADD COLUMN reviewed_by text CHECK (char_length(reviewed_by) <= 300);
ALTER TABLE payslips ADD COLUMN reviewed_at timestamptz;
ALTER TABLE payslips ADD COLUMN review_reason text CHECK (char_length(review_reason) <= 500);

DROP INDEX payslips_month;
DROP INDEX payslips_current;
CREATE INDEX payslips_month ON payslips (tenant_id, resident_id, pay_date)
    WHERE superseded_by IS NULL AND (review IS NULL OR review = 'confirmed');
CREATE UNIQUE INDEX payslips_current ON payslips (tenant_id, resident_id, applicant, employer_key, period_start, period_end)
    WHERE superseded_by IS NULL AND (review IS NULL OR review = 'confirmed');
-- At most one open proposal per payslip: a newer one supersedes the older.
CREATE UNIQUE INDEX payslips_pending ON payslips (tenant_id, resident_id, applicant, employer_key, period_start, period_end)
    WHERE superseded_by IS NULL AND review = 'pending';

-- +goose Down
-- Without the review, a pending or declined correction would count: mark it as replaced
-- (by itself) so that it never does. The owner lifts FORCE for this one statement.
ALTER TABLE payslips NO FORCE ROW LEVEL SECURITY;
UPDATE payslips SET superseded_by = id WHERE superseded_by IS NULL AND review IN ('pending', 'declined');
ALTER TABLE payslips FORCE ROW LEVEL SECURITY;
DROP INDEX payslips_pending;
DROP INDEX payslips_current;
DROP INDEX payslips_month;
CREATE INDEX payslips_month ON payslips (tenant_id, resident_id, pay_date) WHERE superseded_by IS NULL;
CREATE UNIQUE INDEX payslips_current ON payslips (tenant_id, resident_id, applicant, employer_key, period_start, period_end)
    WHERE superseded_by IS NULL;
ALTER TABLE payslips DROP COLUMN review_reason, DROP COLUMN reviewed_at, DROP COLUMN reviewed_by, DROP COLUMN review, DROP COLUMN actor;
