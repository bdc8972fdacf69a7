// place measures locations taken on phones against a site's place.

const earthRadiusMetres = 6371008.8;

// distanceMetres is the great-circle (haversine) distance between two
// {lat, lng} points: accurate to well under a metre at a site's scale.
export function distanceMetres(a, b) {
  const radians = (degrees) => (degrees * Math.PI) / 180;
  const dLat = radians(b.lat - a.lat);
  const dLng = radians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * earthRadiusMetres * Math.asin(Math.min(1, Math.sqrt(h)));
}
