# The programme's audit log moved to the `audit` app (audit.AuditEvent, one model in every
# schema); privacy keeps no model of its own.
