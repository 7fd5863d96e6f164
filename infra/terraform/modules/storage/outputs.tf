output "bucket_name" {
  description = "AWS_STORAGE_BUCKET_NAME."
  value       = scaleway_object_bucket.main.name
}

output "endpoint_url" {
  description = "AWS_S3_ENDPOINT_URL."
  value       = "https://s3.${var.region}.scw.cloud"
}

output "region" {
  description = "AWS_S3_REGION_NAME."
  value       = var.region
}

output "access_key" {
  description = "AWS_ACCESS_KEY_ID of the application."
  value       = scaleway_iam_api_key.storage.access_key
  sensitive   = true
}

output "secret_key" {
  description = "AWS_SECRET_ACCESS_KEY of the application."
  value       = scaleway_iam_api_key.storage.secret_key
  sensitive   = true
}
