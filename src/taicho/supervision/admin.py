"""Admin registrations, one module per area (plans and designations; registers and reports)."""

from taicho.supervision import admin_plans, admin_registers  # noqa: F401
