/**
 * The video catalogue. Titles deliberately carry commas, quotes and non-ASCII text so that the
 * landing CSV exercises RFC 4180 quoting.
 */
import { GENRES, type Genre, type VideoRecord } from './model.js';
import { Rng } from './prng.js';
import { DAY_MS, parseDate } from './time.js';

const BASE_VIDEOS = 40;
/** One new release joins the catalogue every day from this date on. */
const RELEASES_FROM = '2025-09-01';

const WORDS: Readonly<Record<Genre, readonly string[]>> = {
  Action: ['Steel', 'Fury', 'Getaway', 'Blast', 'Pursuit', 'Último Golpe'],
  Comedy: ['Oops', 'Awkward', 'Roommates', 'Punchline', 'Café Chaos', 'Bêtises'],
  Documentary: ['Oceans', 'Glaciers', 'Inside', 'Origins', 'Ñandú Trail', 'Kōbe Streets'],
  Drama: ['Silence', 'Letters', 'Winter', 'Promise', 'Straße', 'Über Nacht'],
  Horror: ['Hollow', 'Whispers', 'Cellar', 'Night Shift', 'Ängsten', 'Kuroi Mizu'],
  Kids: ['Puppy', 'Rainbow', 'Robots', 'Dino', 'Ducklings', 'Petit Ours'],
  Romance: ['Paris', 'Sunset', 'Letters', 'Amour', 'Corazón', 'Smörgåsbord Summer'],
  'Sci-Fi': ['Orbit', 'Nebula', 'Android', 'Quantum', 'Tōkyō 2099', 'Zeta Ω'],
};

/** Title shapes; several need quoting in CSV. */
const SHAPES: readonly ((a: string, b: string) => string)[] = [
  (a, b) => `${a} ${b}`,
  (a, b) => `${a}, ${b}`,
  (a, b) => `The "${a}" ${b}`,
  (a) => `${a}`,
  (a, b) => `${a}: ${b}, Part 2`,
  (a, b) => `${a} & ${b}`,
];

function makeVideo(rng: Rng, index: number, genre: Genre, publishedMs: number): VideoRecord {
  const words = WORDS[genre];
  const title = rng.pick(SHAPES)(rng.pick(words), rng.pick(words));
  const durationS = genre === 'Kids' ? rng.int(600, 1800) : rng.int(1200, 7800);
  return { videoId: `v${String(index).padStart(4, '0')}`, title, genre, durationS, publishedMs };
}

/** The catalogue as of `date`: the base titles plus one release per day since RELEASES_FROM. */
export function catalogueAsOf(seed: string, date: string): VideoRecord[] {
  const dateMs = parseDate(date)!;
  const rng = Rng.fromSeed(`${seed}/catalogue`);
  const baseFrom = parseDate('2024-01-01')!;
  const videos: VideoRecord[] = [];
  for (let i = 1; i <= BASE_VIDEOS; i++) {
    // Every genre gets five base titles, so any genre can be planted as the top genre.
    const genre = GENRES[(i - 1) % GENRES.length]!;
    videos.push(makeVideo(rng, i, genre, baseFrom + rng.int(0, 500) * DAY_MS + rng.int(0, 86_399) * 1000));
  }
  const releasesFrom = parseDate(RELEASES_FROM)!;
  for (let day = releasesFrom, i = BASE_VIDEOS + 1; day <= dateMs; day += DAY_MS, i++) {
    const release = Rng.fromSeed(`${seed}/release/${day}`);
    videos.push(makeVideo(release, i, release.pick(GENRES), day + release.int(6, 18) * 3_600_000));
  }
  return videos;
}
