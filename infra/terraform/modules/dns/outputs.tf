output "records" {
  description = "Record names published in the zone (relative to it)."
  value = {
    apex     = scaleway_domain_record.apex.name
    wildcard = scaleway_domain_record.wildcard.name
  }
}
