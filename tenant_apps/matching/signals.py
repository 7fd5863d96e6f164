"""What matching tells the apps above it, without importing them.

`pair_ended` is sent by `match_end` (a manager ends a pairing), inside its transaction, after
the pair is saved as ended: a receiver writes in the same transaction (tenant_apps.surveys
invites both people to the end-of-relationship survey). Not sent when a pair ends because a
person's data was erased: nobody is asked about it.
"""

from django.dispatch import Signal

# sender: the Match class; keyword argument: match (the ended Match).
pair_ended = Signal()
