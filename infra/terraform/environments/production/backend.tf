# State in a Scaleway Object Storage bucket (S3 API) of a separate project, fr-par.
# Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY set to a Scaleway API key (see README).
# Locking with a lock object next to the state (use_lockfile, Terraform >= 1.11): no DynamoDB.
# The skip_* flags stop the AWS-specific calls (STS, IMDS, region list, checksums) that a
# non-AWS S3 endpoint does not answer.
terraform {
  backend "s3" {
    bucket = "binome-terraform-state"
    key    = "production/terraform.tfstate"
    region = "fr-par"

    endpoints = {
      s3 = "https://s3.fr-par.scw.cloud"
    }

    use_path_style              = true
    use_lockfile                = true
    skip_credentials_validation = true
    skip_region_validation      = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_s3_checksum            = true
  }
}
