ALTER TABLE `vapps` ADD `undo_started_at` integer;--> statement-breakpoint
ALTER TABLE `vdcs` ADD `undo_started_at` integer;--> statement-breakpoint
-- Rows mid-undo at upgrade were marked by their message (lib/k8s/late-writes.ts's UNDO_MESSAGE), timed from updated_at.
UPDATE `vapps` SET `undo_started_at` = `updated_at` WHERE `status` = 'DELETING' AND `status_message` = 'Creation failed; removing what it created';--> statement-breakpoint
UPDATE `vdcs` SET `undo_started_at` = `updated_at` WHERE `status` = 'DELETING' AND `status_message` = 'Creation failed; removing what it created';
