"""CreatorDeck application code: everything under here is deployed to Lambda."""
