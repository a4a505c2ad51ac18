"""Reading subscribed feeds on their schedule (filled in with the feed reader)."""
