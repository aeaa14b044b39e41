"""The conversation, free of any channel: Incoming in, (state, Replies) out. No telegram import here."""
