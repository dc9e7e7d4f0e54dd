"""The asset lifecycle: planned → active → renewal due → renewed / retired / disposed.

The tick moves planned → active when the start date comes, and active or renewed →
renewal due when the end date is 30 days away or less; a buyer of the owner unit makes
the other moves (a renewal gives a new end date). Retired and disposed are final except
retired → disposed (equipment taken out of use, later disposed of).
"""

from __future__ import annotations

from marketplace.assets.models import AssetStatus as S

#: Moves a buyer may make by hand, from each status.
BUYER_MOVES: dict[S, tuple[S, ...]] = {
    S.PLANNED: (S.ACTIVE, S.RETIRED),
    S.ACTIVE: (S.RENEWED, S.RETIRED, S.DISPOSED),
    S.RENEWAL_DUE: (S.RENEWED, S.RETIRED, S.DISPOSED),
    S.RENEWED: (S.RENEWED, S.RETIRED, S.DISPOSED),
    S.RETIRED: (S.DISPOSED,),
    S.DISPOSED: (),
}
#: Statuses of an asset in use (or about to be): renewal alerts and the expiring views.
LIVE = (S.PLANNED, S.ACTIVE, S.RENEWAL_DUE, S.RENEWED)
#: Statuses the tick moves to renewal due when the end is near.
RENEWABLE = (S.ACTIVE, S.RENEWED)
#: Days before the end date when an alert goes out (also the renewal-due threshold: the first).
ALERT_DAYS = (30, 15, 7)
