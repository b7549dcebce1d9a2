// catalog-api v2.3.1 (image layer)
