/// Words the generator builds names from. Order matters: draws index into these arrays.
enum Vocabulary {
    static let nouns = [
        "users", "accounts", "projects", "threads", "messages", "sessions", "documents", "attachments",
        "tags", "comments", "invoices", "payments", "orders", "devices", "tokens", "workspaces", "folders",
        "notes", "tasks", "events", "webhooks", "subscriptions", "plans", "teams", "members", "roles",
        "permissions", "settings", "jobs", "runs", "artifacts", "builds", "releases", "channels",
        "reactions", "notifications", "contacts", "addresses", "products", "categories", "reviews",
        "shipments", "carts", "coupons", "snapshots", "rollouts", "memories", "prompts", "tools",
        "approvals", "commands", "repositories", "branches", "commits", "files", "chunks", "embeddings",
        "models", "providers", "quotas", "usages", "alerts", "schedules", "exports", "imports",
    ]

    static let qualifiers = [
        "user", "team", "billing", "search", "sync", "agent", "model", "cache", "export", "chat", "shell",
        "git", "plugin", "tool", "rollout", "memory", "app", "core", "remote", "local",
    ]

    static let enums: [[String]] = [
        ["pending", "active", "done", "failed"], ["user", "system", "tool"], ["low", "medium", "high"],
        ["draft", "published", "archived"], ["open", "closed"], ["queued", "running", "succeeded", "cancelled"],
    ]

    static func columns(_ valueClass: ValueClass) -> [String] {
        switch valueClass {
        case .integer:
            ["count", "quantity", "position", "priority", "attempts", "size_bytes", "duration_ms", "retry_count",
             "revision", "score", "sort_order", "line_number", "token_count", "exit_code", "port", "byte_offset",
             "depth", "seq", "item_count", "pid"]
        case .real:
            ["ratio", "amount", "latitude", "longitude", "weight", "cost_usd", "progress", "temperature", "confidence"]
        case .numeric:
            ["price", "balance", "total", "discount", "tax_rate", "fee"]
        case .text:
            ["name", "title", "description", "status", "kind", "email", "slug", "path", "url", "label", "note",
             "source", "summary", "model", "provider", "branch", "cwd", "locale", "timezone", "version_tag",
             "external_id", "display_name", "content", "body", "mime_type", "checksum_hex", "region", "category",
             "origin", "cli_version", "reasoning_effort", "sandbox_policy", "approval_mode", "git_sha"]
        case .boolean:
            ["is_active", "archived", "pinned", "enabled", "is_default", "verified", "hidden", "is_deleted",
             "read_flag", "starred"]
        case .timestamp:
            ["created_at", "updated_at", "archived_at", "deleted_at", "started_at", "finished_at", "expires_at",
             "last_seen_at", "synced_at", "due_at", "published_at"]
        case .json:
            ["metadata", "payload", "settings_json", "tags_json", "extra", "config"]
        case .blob:
            ["digest", "thumbnail", "raw_data", "signature", "nonce"]
        case .any:
            ["value", "data", "extra_value"]
        }
    }
}
