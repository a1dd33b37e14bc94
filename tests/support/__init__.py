"""Test support: real stand-ins for the services tsunagari talks to (LINE Messaging API)."""
