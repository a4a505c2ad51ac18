"""Due deliveries on a "loopback" channel, shared by the dispatch benchmark and the
exactly-once process tests (tests/publishing/worker_script.py).

Rows are made directly (not through schedule_post) so nothing is enqueued: the workers under
measurement or test are the only ones publishing. Call after django.setup().
"""

from __future__ import annotations

from datetime import datetime


def create_due_deliveries(count: int, peer_url: str, due: datetime, name: str) -> None:
    """`count` one-part deliveries ("post 0", "post 1", ...) on one channel, all due at `due`,
    in a workspace called `name` owned by <name>@example.com."""
    from django.db import transaction

    from hubbub.accounts.models import User
    from hubbub.core.models import Membership, Workspace
    from hubbub.core.roles import Role
    from hubbub.networks.models import Channel
    from hubbub.publishing.models import Delivery, Post, PostStatus, PostVariant

    slug = name.lower()
    with transaction.atomic():
        user = User.objects.create_user(f"{slug}@example.com", "correct horse battery staple")
        workspace = Workspace.objects.create(name=name, slug=slug)
        Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
        channel = Channel.objects.create(
            workspace=workspace,
            network="loopback",
            external_id="1",
            handle=f"@{slug}",
            config={"base_url": peer_url},
        )
        posts = Post.objects.bulk_create(
            Post(
                workspace=workspace,
                author=user,
                purpose=slug,
                status=PostStatus.SCHEDULED,
                scheduled_at=due,
            )
            for _ in range(count)
        )
        variants = PostVariant.objects.bulk_create(
            PostVariant(post=post, channel=channel, parts=[f"post {n}"])
            for n, post in enumerate(posts)
        )
        Delivery.objects.bulk_create(
            Delivery(
                workspace=workspace,
                post=post,
                variant=variant,
                channel=channel,
                due_at=due,
                next_attempt_at=due,
            )
            for post, variant in zip(posts, variants, strict=True)
        )
