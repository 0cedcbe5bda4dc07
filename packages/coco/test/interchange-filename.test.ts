import { describe, expect, it } from 'vitest';
import { baseFileName, matchFileName } from '../src/interchange';

describe('matchFileName', () => {
  it.each([
    ['plain name, case folded', 'IMG_0001.JPG', 'img_0001.jpg'],
    ['COCO relative path', 'images/train2017/000000397133.jpg', '000000397133.jpg'],
    ['Windows path', 'C:\\Users\\ann\\Pictures\\Holiday\\DSC01234.JPG', 'dsc01234.jpg'],
    ['Label Studio upload path', '/data/upload/3/1a2b3c4d-photo.jpg', 'photo.jpg'],
    ['Label Studio upload URL, encoded', 'http://localhost:8080/data/upload/12/9F8E7D6C-My%20Cat%20(1).png', 'my cat (1).png'],
    ['Label Studio local files', '/data/local-files/?d=datasets/cats/IMG_01.jpg', 'img_01.jpg'],
    ['cloud URL with a signature query', 's3://bucket/raw/street/frame_0042.png?X-Amz-Signature=abc', 'frame_0042.png'],
    ['encoded non-ASCII name', '/data/upload/1/0badf00d-%E7%8C%AB.jpg', '猫.jpg'],
    ['literal percent sign', '100%.jpg', '100%.jpg'],
    ['not an upload prefix (7 hex digits)', '1a2b3c4-photo.jpg', '1a2b3c4-photo.jpg'],
    ['not an upload prefix (non-hex)', 'zz2b3c4d-photo.jpg', 'zz2b3c4d-photo.jpg'],
    ['prefix with nothing after it is the name', '1a2b3c4d-', '1a2b3c4d-'],
    ['surrounding spaces', '  /srv/data/a.jpg  ', 'a.jpg'],
  ])('%s: %s', (_what, input, key) => {
    expect(matchFileName(input)).toBe(key);
  });

  it('matches decomposed (macOS) and composed accents', () => {
    const nfd = 'Cafe\u0301 Terrasse.JPG';
    const nfc = 'Caf\u00e9 terrasse.jpg';
    expect(nfd).not.toBe(nfc);
    expect(matchFileName(nfd)).toBe(matchFileName(nfc));
    expect(matchFileName(`/data/upload/2/abcdef01-${encodeURIComponent(nfd)}`)).toBe(matchFileName(nfc));
  });

  it('gives different keys to different names', () => {
    expect(matchFileName('a (1).jpg')).not.toBe(matchFileName('a.jpg'));
    expect(matchFileName('a.jpeg')).not.toBe(matchFileName('a.jpg'));
  });
});

describe('baseFileName', () => {
  it('keeps case and form, drops directories and the upload prefix', () => {
    expect(baseFileName('/data/upload/3/1a2b3c4d-My%20Photo.JPG')).toBe('My Photo.JPG');
    expect(baseFileName('D:\\set\\Été.png')).toBe('Été.png');
  });
});
