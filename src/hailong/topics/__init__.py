"""What people wrote: free-text answers kept tagged and masked for staff to read (issue #7).

The tagging itself is ``hailong.comments`` (plain Python); this app keeps its results in the
database (``Comment``), in step with the answers (``services.comments_sync``), and shows them
within each user's units (``/can-bo/y-kien/``). docs/comments.md, "The Django side".
"""
