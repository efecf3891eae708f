"""Platform adapters: each turns its platform's events into ``bot.events.Event`` and
renders ``bot.effects`` natively. They import ``bot``; never each other."""
