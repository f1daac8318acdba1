CREATE TABLE `catalogs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`owner_id` text,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`is_published` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `catalogs_org_name_uq` ON `catalogs` (`org_id`,`name_key`);--> statement-breakpoint
CREATE TABLE `orgs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`display_name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`is_enabled` integer DEFAULT true NOT NULL,
	`can_publish` integer DEFAULT false NOT NULL,
	`is_provider` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orgs_name_key_unique` ON `orgs` (`name_key`);--> statement-breakpoint
CREATE TABLE `roles` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`bundle_key` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `roles_name_unique` ON `roles` (`name`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_token_hash_unique` ON `sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`operation_name` text NOT NULL,
	`operation` text NOT NULL,
	`status` text NOT NULL,
	`progress` integer DEFAULT 0 NOT NULL,
	`owner_type` text NOT NULL,
	`owner_id` text NOT NULL,
	`owner_name` text NOT NULL,
	`user_id` text NOT NULL,
	`user_name` text NOT NULL,
	`org_id` text NOT NULL,
	`org_name` text NOT NULL,
	`error_code` text,
	`error_message` text,
	`start_time` integer NOT NULL,
	`end_time` integer
);
--> statement-breakpoint
CREATE INDEX `tasks_org_idx` ON `tasks` (`org_id`);--> statement-breakpoint
CREATE INDEX `tasks_owner_idx` ON `tasks` (`owner_id`);--> statement-breakpoint
CREATE TABLE `user_roles` (
	`user_id` text NOT NULL,
	`role_id` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`user_id`, `role_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`role_id`) REFERENCES `roles`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`username` text NOT NULL,
	`username_key` text NOT NULL,
	`full_name` text DEFAULT '' NOT NULL,
	`email` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`password_hash` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_key_unique` ON `users` (`username_key`);--> statement-breakpoint
CREATE INDEX `users_org_idx` ON `users` (`org_id`,`username_key`);--> statement-breakpoint
CREATE TABLE `vapps` (
	`id` text PRIMARY KEY NOT NULL,
	`vdc_id` text NOT NULL,
	`org_id` text NOT NULL,
	`owner_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`status` text NOT NULL,
	`status_message` text,
	`catalog_item_id` text,
	`catalog_item_name` text,
	`template_namespace` text NOT NULL,
	`template_name` text NOT NULL,
	`instance_name` text NOT NULL,
	`instance_uid` text,
	`parameters` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`vdc_id`) REFERENCES `vdcs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vapps_vdc_name_uq` ON `vapps` (`vdc_id`,`name_key`);--> statement-breakpoint
CREATE INDEX `vapps_org_idx` ON `vapps` (`org_id`);--> statement-breakpoint
CREATE TABLE `vdcs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`allocation_model` text NOT NULL,
	`cpu_units` text DEFAULT 'MHz' NOT NULL,
	`cpu_allocated` integer DEFAULT 0 NOT NULL,
	`cpu_limit` integer DEFAULT 0 NOT NULL,
	`cpu_reserved` integer DEFAULT 0 NOT NULL,
	`memory_units` text DEFAULT 'MB' NOT NULL,
	`memory_allocated` integer DEFAULT 0 NOT NULL,
	`memory_limit` integer DEFAULT 0 NOT NULL,
	`memory_reserved` integer DEFAULT 0 NOT NULL,
	`nic_quota` integer DEFAULT 0 NOT NULL,
	`network_quota` integer DEFAULT 0 NOT NULL,
	`vm_quota` integer DEFAULT 0 NOT NULL,
	`storage_profiles` text NOT NULL,
	`provider_vdc` text,
	`is_thin_provision` integer DEFAULT true NOT NULL,
	`is_enabled` integer DEFAULT true NOT NULL,
	`status` text NOT NULL,
	`status_message` text,
	`namespace` text NOT NULL,
	`needs_reconcile` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `orgs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vdcs_namespace_unique` ON `vdcs` (`namespace`);--> statement-breakpoint
CREATE UNIQUE INDEX `vdcs_org_name_uq` ON `vdcs` (`org_id`,`name_key`);--> statement-breakpoint
CREATE INDEX `vdcs_name_idx` ON `vdcs` (`name`,`id`);--> statement-breakpoint
CREATE TABLE `vms` (
	`id` text PRIMARY KEY NOT NULL,
	`vapp_id` text NOT NULL,
	`vdc_id` text NOT NULL,
	`org_id` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`uid` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`status` text NOT NULL,
	`status_message` text,
	`printable_status` text,
	`guest_os` text,
	`num_cpus` integer,
	`cores_per_socket` integer,
	`memory_mb` integer,
	`interfaces` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`vapp_id`) REFERENCES `vapps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vms_uid_unique` ON `vms` (`uid`);--> statement-breakpoint
CREATE UNIQUE INDEX `vms_ns_name_uq` ON `vms` (`namespace`,`name`);--> statement-breakpoint
CREATE INDEX `vms_vapp_idx` ON `vms` (`vapp_id`);