"""TikTok: one channel is one TikTok account, connected through Login Kit for Web (OAuth 2),
posting videos through the Content Posting API's Direct Post (docs/networks/tiktok.md)."""
