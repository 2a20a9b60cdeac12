"""The Full Fibre programme: site register, progress, backbone reach and scenarios (issue 10)."""
