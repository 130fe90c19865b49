-- Incidents are worked by people: who acknowledged one, what they found and what they will change, and who closed it.
ALTER TABLE incidents
    ADD COLUMN acknowledged_by    text,
    ADD COLUMN acknowledged_at    timestamptz,
    ADD COLUMN root_cause         text,
    ADD COLUMN lessons            text,
    ADD COLUMN corrective_actions jsonb NOT NULL DEFAULT '[]',
    -- the person who closed the incident and their summary; Courier's own resolution (alerts cleared) sets only
    -- resolved_at
    ADD COLUMN resolved_by        text,
    ADD COLUMN resolution_summary text;
