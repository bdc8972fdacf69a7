-- +goose Up
-- The organisation's language: the one the server writes text in that it
-- composes for people to read, such as the description of an incident a
-- checklist item raises (checklists.DescribeIncident). A bank in China
-- reads Chinese, so zh-CN is the default; en is the other language every
-- template carries (checklists.RequiredLanguages).
ALTER TABLE orgs ADD COLUMN language text NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en'));
