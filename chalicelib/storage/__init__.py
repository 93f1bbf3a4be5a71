"""PynamoDB models, repositories and other AWS-backed adapters (buckets, queues)."""
