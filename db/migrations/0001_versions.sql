ALTER TABLE `orgs` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `password_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `vdcs` ADD `version` integer DEFAULT 1 NOT NULL;