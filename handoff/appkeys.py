"""Typed application keys for the handoff side (set by the app factory, read by the API)."""

from __future__ import annotations

from aiohttp import web

from handoff.service import HandoffService
from handoff.staff import StaffDirectory

handoff_service_key = web.AppKey("handoff_service", HandoffService)
staff_key = web.AppKey("handoff_staff", StaffDirectory)
