"""What a channel needs once connected for the networks to push to Hubbub: Meta's app
installed on the Facebook Page (feed and Messenger webhooks; Instagram's go through the
linked Page too), and Telegram's webhook set when HUBBUB_BASE_URL is https.

`after_connect(channel)` is called after a channel is connected or reconnected (a
reconnect replaces the channel's config and credentials, and with them the Telegram
webhook's secret). Failing here never fails the connection: polling still reads the
channel, a little later than a push would have.
"""

from __future__ import annotations

import logging

from hubbub.networks.base import ConnectorError
from hubbub.networks.models import Channel

log = logging.getLogger(__name__)


def after_connect(channel: Channel) -> None:
    """Set up the pushes of `channel`'s network. Temporary network errors are raised (the
    job retries); anything else is logged."""
    from hubbub.core.access import ActionError
    from hubbub.networks.facebook.webhooks import page_of, subscribe_page
    from hubbub.networks.telegram import webhook as telegram

    try:
        if channel.network in ("facebook", "instagram") and page_of(channel):
            fields = subscribe_page(channel)
            log.info("channel %s: Page subscribed to %s", channel.pk, ",".join(fields))
        elif channel.network == "telegram":
            telegram.configure(channel)
    except ConnectorError as exc:
        if not exc.permanent:
            raise
        log.warning("channel %s: webhooks not set up: %s", channel.pk, exc)
    except ActionError as exc:
        log.warning("channel %s: webhooks not set up: %s", channel.pk, exc)
